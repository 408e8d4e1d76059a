"""One REST client per review platform, each mapping its wire format to records."""
