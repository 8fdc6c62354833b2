"""
Benchmark, not a test (pytest doesn't collect it): what one 12-megapixel camera JPEG costs on upload.

    make bench-images                 # or: DEBUG=1 .venv/bin/python tests/perf/bench_renditions.py --runs 3
    NEWSROOM_IMAGE_AVIF=0 make bench-images     # the same without AVIF renditions

Each run happens in a fresh child process, measuring two steps separately: checking and re-encoding the upload
(`sanitize_image`), and making every rendition (all crops, widths and formats: `renditions.render`, storage writes
excluded). For each: CPU time (time.process_time, every thread of the process: the AVIF encoder uses several), wall
time, the peak of memory traced by tracemalloc (Python objects only: Pillow's pixel buffers are not among them) and
the peak resident memory above what the process held when the step began, which does include them (Linux: VmHWM,
reset before each step through /proc/self/clear_refs; elsewhere getrusage's ru_maxrss, which can't be reset).
"""

import argparse
import io
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 4000, 3000  # 12 megapixels, a camera's 4:3 frame


def make_photo(path: Path) -> None:
    """A photograph-like JPEG: smooth gradients and shapes under sensor noise, with camera and GPS EXIF."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(12)
    picture = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(400):
        x, y, r = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(40, 600)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(6))
    picture = Image.blend(picture, Image.effect_noise((WIDTH, HEIGHT), 30).convert("RGB"), 0.12)
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    picture.save(path, "JPEG", quality=92, exif=exif.tobytes())


def _status_kib(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)[1])


def _start_peak() -> int:
    """The resident memory now, with the peak reset to it where the system allows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS") * 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak() -> int:
    try:
        return _status_kib("VmHWM") * 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(step, *args):
    """(result, cpu seconds, wall seconds, tracemalloc peak bytes, peak resident bytes above the start)."""
    rss_start = _start_peak()
    tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    result = step(*args)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, cpu, wall, traced_peak, _peak() - rss_start


def child(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    from articles.images.renditions import plan, render
    from articles.images.validation import sanitize_image
    from articles.models import Image

    upload = ContentFile(Path(path).read_bytes(), name="camera.jpg")
    clean, *upload_costs = measure(sanitize_image, upload)
    image = Image(file="x.jpg", width=clean.width, height=clean.height, focal_x=0.4, focal_y=0.45)
    specs = plan(image)

    def render_all() -> dict:
        with PILImage.open(io.BytesIO(clean.read())) as picture:
            picture.load()
            by_format: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # files, bytes
            for spec, content in render(picture, specs, focal=(image.focal_x, image.focal_y)):
                by_format[spec.format][0] += 1
                by_format[spec.format][1] += len(content)
        return dict(by_format)

    files, *rendition_costs = measure(render_all)
    print(json.dumps({"upload": upload_costs, "renditions": rendition_costs, "files": files, "count": len(specs)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    with tempfile.TemporaryDirectory() as directory:
        photo = Path(directory) / "camera.jpg"
        make_photo(photo)
        size = photo.stat().st_size / 1e6
        print(f"Source: {WIDTH} × {HEIGHT} JPEG with GPS EXIF, {size:.1f} MB; {os.cpu_count()} CPUs")
        environment = {"DEBUG": "1", **os.environ}
        results = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--child", str(photo)],
                    env=environment,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(options.runs)
        ]
    print(f"Median of {options.runs} runs, each in a fresh process:")
    for step in ("upload", "renditions"):
        cpu, wall, traced, rss = (statistics.median(result[step][n] for result in results) for n in range(4))
        print(
            f"  {step:<11} CPU {cpu:6.2f} s   wall {wall:6.2f} s   "
            f"tracemalloc peak {traced / 1e6:6.1f} MB   peak RSS above start {rss / 1e6:6.1f} MB"
        )
    files = results[0]["files"]
    print(
        f"  {results[0]['count']} renditions: "
        + ", ".join(f"{format} {count} files {size / 1e6:.1f} MB" for format, (count, size) in files.items())
    )


if __name__ == "__main__":
    main()
