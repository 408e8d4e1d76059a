"""The sync: keeps the review index fresh from each platform within its budget."""
