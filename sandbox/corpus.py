"""Seeded, realistic review content shared by the simulators.

Every simulator draws its reviews from here with its own ``random.Random``, so the
data is deterministic per seed yet different per platform: names and countries,
languages, star ratings skewed per product, titles and bodies that match the rating,
merchant replies, media and submission dates spread over two years (more of them
recent, as real shops see).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

Sentiment = str  # "negative" | "mixed" | "positive"

COUNTRY_LANGUAGE: Final = {
    "US": "en",
    "GB": "en",
    "DE": "de",
    "AT": "de",
    "FR": "fr",
    "NL": "nl",
    "ES": "es",
    "ID": "id",
}
LOCALES: Final = {
    "en": "en-US",
    "de": "de-DE",
    "fr": "fr-FR",
    "nl": "nl-NL",
    "es": "es-ES",
    "id": "id-ID",
}

_FIRST: Final = {
    "en": (
        "Emma",
        "Oliver",
        "Ava",
        "Liam",
        "Sophie",
        "James",
        "Grace",
        "Noah",
        "Chloe",
    ),
    "de": ("Lena", "Jonas", "Mia", "Felix", "Hannah", "Lukas", "Marie", "Paul", "Anna"),
    "fr": ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Arthur"),
    "nl": ("Sanne", "Daan", "Fleur", "Bram", "Lotte", "Sem", "Iris", "Thijs"),
    "es": ("Lucía", "Mateo", "Sofía", "Hugo", "Martina", "Pablo", "Carmen", "Diego"),
    "id": ("Putri", "Budi", "Siti", "Agus", "Dewi", "Rizky", "Ayu", "Fajar"),
}
_LAST: Final = {
    "en": ("Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes", "Clarke"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann"),
    "fr": ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Roux"),
    "nl": ("de Jong", "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer"),
    "es": ("García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres"),
    "id": ("Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Lestari"),
}

_TITLES: Final[dict[str, dict[Sentiment, tuple[str, ...]]]] = {
    "en": {
        "positive": (
            "Absolutely love it",
            "Great quality",
            "Exceeded expectations",
            "Worth every penny",
            "Highly recommend",
            "Perfect gift",
        ),
        "mixed": (
            "Decent, not perfect",
            "Good but pricey",
            "Does the job",
            "Okay for the money",
            "Mixed feelings",
        ),
        "negative": (
            "Disappointed",
            "Broke after a week",
            "Not as described",
            "Would not buy again",
            "Poor quality",
        ),
    },
    "de": {
        "positive": (
            "Absolut begeistert",
            "Top Qualität",
            "Klare Kaufempfehlung",
            "Jeden Cent wert",
            "Besser als erwartet",
        ),
        "mixed": (
            "Ganz okay",
            "Gut, aber teuer",
            "Erfüllt seinen Zweck",
            "Mit kleinen Schwächen",
        ),
        "negative": (
            "Leider enttäuscht",
            "Nach einer Woche kaputt",
            "Nicht wie beschrieben",
            "Würde ich nicht wieder kaufen",
        ),
    },
    "fr": {
        "positive": (
            "Vraiment top",
            "Excellente qualité",
            "Je recommande vivement",
            "Parfait",
        ),
        "mixed": ("Correct sans plus", "Bien mais cher", "Fait le travail"),
        "negative": (
            "Très déçu",
            "Cassé rapidement",
            "Ne correspond pas à la description",
        ),
    },
    "nl": {
        "positive": ("Super tevreden", "Topkwaliteit", "Echt een aanrader", "Perfect"),
        "mixed": ("Redelijk", "Goed maar prijzig", "Doet wat het moet doen"),
        "negative": ("Teleurgesteld", "Snel kapot", "Niet zoals beschreven"),
    },
    "es": {
        "positive": ("Me encanta", "Calidad excelente", "Muy recomendable", "Perfecto"),
        "mixed": ("Está bien", "Bueno pero caro", "Cumple su función"),
        "negative": ("Muy decepcionado", "Se rompió pronto", "No es como se describe"),
    },
    "id": {
        "positive": ("Sangat puas", "Kualitas mantap", "Recommended banget"),
        "mixed": ("Lumayan", "Bagus tapi agak mahal", "Sesuai harga"),
        "negative": ("Kecewa", "Cepat rusak", "Tidak sesuai deskripsi"),
    },
}

_SENTENCES: Final[dict[str, dict[Sentiment, tuple[str, ...]]]] = {
    "en": {
        "positive": (
            "The {product} arrived quickly and works exactly as promised.",
            "Build quality is excellent and it feels like it will last for years.",
            "I use it every day and it still looks brand new.",
            "Customer service answered my question within an hour.",
            "Bought a second one for my sister, she loves it too.",
            "Packaging was plastic-free, which I really appreciate.",
        ),
        "mixed": (
            "The {product} is fine overall, but the sizing runs a little small.",
            "Delivery took longer than expected.",
            "It does what it should, though the finish could be better.",
            "For this price I expected slightly better materials.",
        ),
        "negative": (
            "The {product} stopped working after a few days.",
            "The colour looks nothing like the photos.",
            "I contacted support twice and never got an answer.",
            "Returned it, the refund took three weeks.",
        ),
    },
    "de": {
        "positive": (
            "Der Artikel {product} kam schnell und funktioniert einwandfrei.",
            "Die Verarbeitung ist hervorragend.",
            "Ich benutze es täglich und bin rundum zufrieden.",
            "Der Kundenservice war sehr freundlich.",
        ),
        "mixed": (
            "Insgesamt in Ordnung, aber die Größe fällt klein aus.",
            "Die Lieferung hat etwas länger gedauert.",
            "Für den Preis hätte ich etwas mehr erwartet.",
        ),
        "negative": (
            "Nach wenigen Tagen ging das Produkt kaputt.",
            "Die Farbe entspricht nicht den Fotos.",
            "Der Support hat nie geantwortet.",
        ),
    },
    "fr": {
        "positive": (
            "Le produit {product} est arrivé vite et fonctionne parfaitement.",
            "La finition est impeccable.",
            "Je l'utilise tous les jours.",
        ),
        "mixed": (
            "Correct dans l'ensemble, mais la taille est petite.",
            "La livraison a pris du temps.",
        ),
        "negative": (
            "Le produit a cessé de fonctionner après quelques jours.",
            "Le service client ne répond pas.",
        ),
    },
    "nl": {
        "positive": (
            "De {product} kwam snel aan en werkt perfect.",
            "De afwerking is uitstekend.",
            "Ik gebruik het elke dag.",
        ),
        "mixed": ("Prima, maar de maat valt klein uit.", "De levering duurde lang."),
        "negative": ("Na een paar dagen kapot.", "De klantenservice reageert niet."),
    },
    "es": {
        "positive": (
            "El {product} llegó rápido y funciona perfectamente.",
            "La calidad es excelente.",
            "Lo uso todos los días.",
        ),
        "mixed": ("Está bien, pero la talla es pequeña.", "El envío tardó bastante."),
        "negative": (
            "Dejó de funcionar a los pocos días.",
            "El servicio de atención no responde.",
        ),
    },
    "id": {
        "positive": (
            "Produk {product} cepat sampai dan berfungsi dengan baik.",
            "Kualitasnya sangat bagus.",
            "Penjual ramah dan responsif.",
        ),
        "mixed": ("Lumayan, tapi ukurannya agak kecil.", "Pengiriman agak lama."),
        "negative": ("Baru beberapa hari sudah rusak.", "Penjual tidak membalas chat."),
    },
}

_REPLIES: Final[dict[str, dict[Sentiment, tuple[str, ...]]]] = {
    "en": {
        "positive": (
            "Thank you so much for your kind words!",
            "We are thrilled you love it. Enjoy!",
        ),
        "mixed": ("Thanks for the honest feedback, we are passing it on to our team.",),
        "negative": (
            "We are sorry to hear this. Please contact support@sandbox-shop.example"
            " and we will make it right.",
        ),
    },
    "de": {
        "positive": ("Vielen Dank für Ihre Bewertung!",),
        "mixed": ("Danke für Ihr ehrliches Feedback.",),
        "negative": (
            "Das tut uns leid. Bitte melden Sie sich bei unserem Kundenservice.",
        ),
    },
}


@dataclass(frozen=True, slots=True)
class Person:
    """A reviewer: name, country and a sandbox e-mail address."""

    first_name: str
    last_name: str
    country: str
    language: str
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name[0]}."


@dataclass(frozen=True, slots=True)
class ReviewText:
    """A title (platforms without titles ignore it) and a body matching the rating."""

    title: str
    body: str


def sentiment(rating: int) -> Sentiment:
    """The tone a review with ``rating`` stars is written in."""
    if rating <= 2:
        return "negative"
    return "mixed" if rating == 3 else "positive"


def pick_rating(rng: random.Random, weights: tuple[float, ...]) -> int:
    """A star rating 1..5 drawn from a product's star profile."""
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def person(
    rng: random.Random, countries: tuple[str, ...] = tuple(COUNTRY_LANGUAGE)
) -> Person:
    """A reviewer from one of ``countries`` with a unique-enough sandbox e-mail."""
    country = rng.choice(countries)
    language = COUNTRY_LANGUAGE[country]
    first = rng.choice(_FIRST[language])
    last = rng.choice(_LAST[language])
    local = f"{first}.{last}".lower().replace(" ", "")
    local = local.encode("ascii", "ignore").decode()
    email = f"{local}.{rng.randrange(10_000, 99_999)}@mail.example"
    return Person(first, last, country, language, email)


def review_text(
    rng: random.Random, rating: int, language: str, product_name: str
) -> ReviewText:
    """A title and a one-to-three-sentence body in ``language`` matching ``rating``."""
    tone = sentiment(rating)
    titles = _TITLES.get(language, _TITLES["en"])[tone]
    sentences = _SENTENCES.get(language, _SENTENCES["en"])[tone]
    count = min(len(sentences), rng.choice((1, 2, 2, 3)))
    body = " ".join(rng.sample(sentences, count)).replace("{product}", product_name)
    return ReviewText(title=rng.choice(titles), body=body)


def reply_text(rng: random.Random, rating: int, language: str) -> str:
    """A merchant's public reply in ``language`` (English where none is written)."""
    replies = _REPLIES.get(language, _REPLIES["en"])[sentiment(rating)]
    return rng.choice(replies)


def submitted_at(rng: random.Random, anchor: datetime, days: int = 730) -> datetime:
    """An instant in the ``days`` before ``anchor``, often recent, to the second."""
    age = days * (rng.random() ** 1.6)
    moment = anchor - timedelta(days=age)
    return moment.replace(microsecond=0)


def image_url(rng: random.Random, host: str) -> str:
    """A plausible attachment URL on the platform's media ``host``."""
    return f"https://{host}/media/{rng.getrandbits(64):016x}.jpg"
