"""
Pictures for the demo newsroom, drawn with Pillow when `manage.py demo` runs (nothing large is committed): simple
scenes in the shape of a camera's frame (3:2), one for each desk and one for the reference article, with the alt
text, caption and credit a picture desk would give them.
"""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image as PILImage, ImageDraw, ImageFilter

SIZE = (1440, 960)
Painter = Callable[[ImageDraw.ImageDraw, random.Random], None]


@dataclass(frozen=True)
class PictureSpec:
    key: str  # a desk from demo.DESKS, or "reference"
    alt_text: str
    caption: str
    photographer: str
    agency: str | None  # slug of a demo agency
    focal: tuple[float, float]
    sky: tuple[str, str]  # top and horizon colours
    paint: Painter

    @property
    def source(self) -> str:
        """How the demo finds its own pictures again on the next run."""
        return f"Newsroom demo picture: {self.key}"


def sky(picture: PILImage.Image, top: str, horizon: str) -> None:
    gradient = PILImage.linear_gradient("L").resize(picture.size)
    picture.paste(PILImage.composite(PILImage.new("RGB", picture.size, horizon), picture, gradient))
    picture.paste(PILImage.composite(picture, PILImage.new("RGB", picture.size, top), gradient))


def hills(draw: ImageDraw.ImageDraw, rng: random.Random, colours: list[str], base: int) -> None:
    width, height = SIZE
    for layer, colour in enumerate(colours):
        level = base + layer * 70
        ridge = [(x, level + rng.randint(-50, 50)) for x in range(-80, width + 160, 160)]
        draw.polygon([(0, height), *ridge, (width, height)], fill=colour)


def paint_paris(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    draw.ellipse((1060, 170, 1220, 330), fill="#ffd27a")
    for x in range(0, width, 60):  # rooftops
        top = 640 + rng.randint(-40, 30)
        draw.rectangle((x, top, x + 58, height), fill="#2b2d42")
        for row in range(top + 20, height - 40, 40):
            if rng.random() < 0.35:
                draw.rectangle((x + 18, row, x + 34, row + 18), fill="#f6c453")
    # A lattice tower on the skyline, where the focal point is.
    draw.polygon([(380, 140), (300, 700), (460, 700)], fill="#1d1f33")
    draw.rectangle((320, 420, 440, 440), fill="#1d1f33")
    draw.polygon([(340, 700), (380, 560), (420, 700)], fill="#ffb86b")


def paint_world(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.ellipse((980, 200, 1120, 340), fill="#fff1c1")
    hills(draw, rng, ["#5d7b6f", "#3f5e52", "#27433a", "#152a24"], 520)


def paint_economy(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    for x in range(40, width, 110):  # towers of a business district
        top = rng.randint(180, 600)
        draw.rectangle((x, top, x + 90, height), fill="#34495e")
        for row in range(top + 16, height, 36):
            for column in range(x + 10, x + 80, 24):
                if rng.random() < 0.5:
                    draw.rectangle((column, row, column + 12, row + 18), fill="#f9e79f")


def paint_science(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    for _ in range(400):  # a night sky over an observatory
        x, y, r = rng.randrange(width), rng.randrange(height * 2 // 3), rng.choice((1, 1, 2, 3))
        draw.ellipse((x, y, x + r, y + r), fill="#ffffff")
    hills(draw, rng, ["#1b2631"], 700)
    draw.pieslice((560, 520, 880, 840), 180, 360, fill="#d5d8dc")
    draw.rectangle((560, 680, 880, 760), fill="#d5d8dc")


def paint_sport(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    draw.rectangle((0, 380, width, height), fill="#2e8b57")
    for x in range(0, width, 120):  # mown stripes
        draw.rectangle((x, 380, x + 60, height), fill="#34a062")
    draw.line((width // 2, 380, width // 2, height), fill="white", width=6)
    draw.ellipse((width // 2 - 140, 560, width // 2 + 140, 840), outline="white", width=6)
    draw.rectangle((0, 300, width, 380), fill="#7f8c8d")  # the stand
    for _ in range(900):
        x, y = rng.randrange(width), rng.randrange(300, 376)
        draw.rectangle((x, y, x + 4, y + 4), fill=rng.choice(("#c0392b", "#f1c40f", "#ecf0f1", "#2c3e50")))
    draw.ellipse((1000, 700, 1040, 740), fill="white")  # the ball


def paint_culture(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    for x, colour in ((300, "#f5b041"), (720, "#f8f9f9"), (1140, "#af7ac5")):  # spotlights on a stage
        draw.polygon([(x, 0), (x - 220, 760), (x + 220, 760)], fill=colour)
    draw.rectangle((0, 760, width, height), fill="#4a2c2a")
    draw.ellipse((690, 470, 750, 530), fill="#1c1c1c")  # the performer
    draw.rectangle((680, 530, 760, 760), fill="#1c1c1c")


def paint_opinion(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    draw.rectangle((0, 600, width, height), fill="#6e4b3a")  # a writer's desk
    draw.rectangle((420, 520, 1020, 900), fill="#fdfefe")
    for row in range(560, 880, 28):
        draw.line((460, row, 460 + rng.randint(300, 520), row), fill="#566573", width=4)
    draw.ellipse((1100, 560, 1260, 720), fill="#784212")  # coffee


PICTURES = (
    PictureSpec(
        "reference",
        "Drawing of a Paris skyline at dusk: a lattice tower against an orange sky, lit windows below.",
        "Evening falls over Paris, where 26 countries pledged troops for a future security force in Ukraine.",
        "Ludovic Marin",
        "afp",
        (0.26, 0.45),
        ("#3a2f6b", "#ff9e5e"),
        paint_paris,
    ),
    PictureSpec(
        "world",
        "Drawing of layered green hills under a pale sun.",
        "Hills near the border, where aid convoys have been waiting for permission to cross.",
        "",
        "reuters",
        (0.73, 0.28),
        ("#7fb3d5", "#fdebd0"),
        paint_world,
    ),
    PictureSpec(
        "economy",
        "Drawing of office towers with lit windows against a blue evening sky.",
        "The financial district after hours. Lenders have turned cautious as the year ends.",
        "Tom Whitaker",
        None,
        (0.5, 0.5),
        ("#1a5276", "#85c1e9"),
        paint_economy,
    ),
    PictureSpec(
        "science",
        "Drawing of an observatory dome under a starry night sky.",
        "An observatory in the mountains. Researchers say the findings need confirming.",
        "",
        "ap",
        (0.5, 0.72),
        ("#0b0c2a", "#1f3a68"),
        paint_science,
    ),
    PictureSpec(
        "sport",
        "Drawing of a football pitch with a crowded stand behind it and a ball near the centre circle.",
        "The pitch before kick-off. Tickets for the return fixture sold out within hours.",
        "Sofia Márquez",
        None,
        (0.7, 0.72),
        ("#aed6f1", "#eaf2f8"),
        paint_sport,
    ),
    PictureSpec(
        "culture",
        "Drawing of a performer alone on a stage under three spotlights.",
        "Opening night. Critics have been largely enthusiastic.",
        "",
        "afp",
        (0.5, 0.55),
        ("#0e0e0e", "#2c2c54"),
        paint_culture,
    ),
    PictureSpec(
        "opinion",
        "Drawing of a sheet of handwritten notes and a cup of coffee on a wooden desk.",
        "Notes for a column.",
        "Priya Nair",
        None,
        (0.5, 0.75),
        ("#d6eaf8", "#fbfcfc"),
        paint_opinion,
    ),
)


def draw(spec: PictureSpec, *, seed: int) -> bytes:
    """The picture as a JPEG, the same on every run."""
    picture = PILImage.new("RGB", SIZE)
    sky(picture, *spec.sky)
    spec.paint(ImageDraw.Draw(picture), random.Random(f"{seed}-{spec.key}"))
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))  # soften the drawing's hard edges, as a lens would
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
