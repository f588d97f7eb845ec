"""Quality gates for the reader pages, run by `make audit`.

Serves the demo site with gunicorn and production settings (DEBUG off, compressed static
files) on loopback, then measures every page type:

- accessibility: axe-core, in light and dark colour schemes (zero violations expected);
- valid HTML: the Nu HTML Checker (vnu.jar, zero errors expected);
- Lighthouse (mobile): performance, accessibility, best practices and SEO on the home page
  and a post page (100 each expected);
- page weight: what the home page transfers, compressed, excluding the author's media; no
  request to another host; no script on reader pages;
- screenshots of every page type at 390 and 1280 px, light and dark, for a person to look at.

Writes audit/report/report.json and audit/report/summary.md, prints the summary, and exits
non-zero when a gate fails. Needs the npm packages in audit/ (`make audit` installs them),
Java 17 for vnu.jar, and Debian's Chromium.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "audit"
REPORT = AUDIT / "report"
NODE_MODULES = AUDIT / "node_modules"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_WEIGHT_BUDGET = 60 * 1024
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_site(workdir: Path, port: int) -> dict:
    """A fresh SQLite database with the demo content and collected static files."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "audit-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SERVE_MEDIA": "true",
        "DJANGO_VAR_DIR": str(workdir),
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"sqlite:///{workdir / 'audit.sqlite3'}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "console://",
        "GUNICORN_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    env.pop("REDIS_URL", None)
    python = sys.executable
    for args in (
        ["migrate", "--no-input", "-v0"],
        ["seed_demo"],
        ["collectstatic", "--no-input", "-v0"],
    ):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return env


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "config/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def page_types(env: dict) -> dict[str, str]:
    """One URL per page type, looked up in the demo database."""
    script = """
import json
from blog.models import Post
from newsletter.models import Issue
from projects.models import Project, Release
post = Post.objects.published().exclude(audio="").first()
release = Release.objects.published().select_related("project").first()
print(json.dumps({
    "home": "/",
    "post-with-audio": post.get_absolute_url(),
    "category": post.categories.first().get_absolute_url(),
    "archive": "/archive/",
    "projects": "/projects/",
    "project": release.project.get_absolute_url(),
    "release": release.get_absolute_url(),
    "newsletter": "/newsletter/",
    "issue": Issue.objects.published().first().get_absolute_url(),
    "search": "/search/?q=serverless",
    "not-found": "/no-such-page/",
}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    urls = json.loads(out.strip().splitlines()[-1])
    # Pages that do not exist yet (a 404 where a page is expected) are left out.
    base = env["SITE_URL"]
    for name, path in list(urls.items()):
        if name == "not-found":
            continue
        try:
            urllib.request.urlopen(base + path, timeout=10)
        except urllib.error.HTTPError:
            del urls[name]
    return urls


def run_axe_and_screenshots(base: str, urls: dict) -> dict:
    from playwright.sync_api import sync_playwright

    axe_js = (NODE_MODULES / "axe-core" / "axe.min.js").read_text()
    shots = REPORT / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS)
        for scheme in ("light", "dark"):
            # axe is injected as a script: the CSP would (rightly) refuse it.
            context = browser.new_context(color_scheme=scheme, bypass_csp=True)
            page = context.new_page()
            for name, path in urls.items():
                page.goto(base + path)
                page.add_script_tag(content=axe_js)
                found = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                    ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                    " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
                )
                results[f"{name} ({scheme})"] = found
                for width in (390, 1280):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.screenshot(path=shots / f"{name}-{width}-{scheme}.png", full_page=True)
            context.close()
        browser.close()
    return results


def run_vnu(base: str, urls: dict) -> dict:
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    pages = REPORT / "html"
    pages.mkdir(parents=True, exist_ok=True)
    files = []
    for name, path in urls.items():
        try:
            body = urllib.request.urlopen(base + path, timeout=10).read()
        except urllib.error.HTTPError as error:
            body = error.read()
        target = pages / f"{name}.html"
        target.write_bytes(body)
        files.append(str(target))
    result = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = {name: [] for name in urls}
    for message in messages:
        name = Path(message.get("url", "")).stem
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message.get('message')}"
        )
    return errors


def run_lighthouse(base: str, urls: dict) -> dict:
    scores = {}
    cli = NODE_MODULES / "lighthouse" / "cli" / "index.js"
    for name in ("home", "post-with-audio"):
        out = REPORT / f"lighthouse-{name}.json"
        subprocess.run(
            [
                "node",
                str(cli),
                base + urls[name],
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
                "--chrome-flags=" + " ".join(CHROME_FLAGS),
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            check=True,
        )
        report = json.loads(out.read_text())
        scores[name] = {
            key: round(report["categories"][key]["score"] * 100) for key in LIGHTHOUSE_CATEGORIES
        }
        failing = [
            f"{audit['id']}: {audit['title']}"
            for audit in report["audits"].values()
            if audit.get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
        ]
        scores[name]["below 1"] = failing[:15]
    return scores


def measure_home_weight(base: str) -> dict:
    from playwright.sync_api import sync_playwright

    transfers = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS)
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        requests = {}
        cdp.on("Network.requestWillBeSent", lambda e: requests.__setitem__(e["requestId"], e))
        cdp.on(
            "Network.loadingFinished",
            lambda e: transfers.append(
                (requests.get(e["requestId"], {}).get("request", {}).get("url", "?"),
                 e["encodedDataLength"])
            ),
        )  # fmt: skip
        page.goto(base + "/", wait_until="networkidle")
        scripts = page.evaluate("document.scripts.length")
        browser.close()
    own = [(url, size) for url, size in transfers if "/media/" not in url]
    other_hosts = sorted({url for url, _ in transfers if not url.startswith(base)})
    return {
        "bytes": sum(size for _, size in own),
        "bytes_with_media": sum(size for _, size in transfers),
        "requests": [f"{size:>7} {url.removeprefix(base)}" for url, size in transfers],
        "other_hosts": other_hosts,
        "scripts": scripts,
    }


def summarize(report: dict) -> tuple[str, bool]:
    ok = True
    lines = ["# Audit", ""]
    axe_bad = {page: v for page, v in report["axe"].items() if v}
    ok &= not axe_bad
    lines.append(f"- axe-core: {len(report['axe'])} page/scheme runs, "
                 f"{sum(len(v) for v in report['axe'].values())} violations")  # fmt: skip
    for page, violations in axe_bad.items():
        for v in violations:
            lines.append(f"  - {page}: {v['id']} ({v['impact']}) {v['help']} {v['nodes']}")
    vnu_bad = {page: v for page, v in report["vnu"].items() if v}
    ok &= not vnu_bad
    lines.append(f"- Nu HTML Checker: {len(report['vnu'])} pages, "
                 f"{sum(len(v) for v in report['vnu'].values())} errors")  # fmt: skip
    for page, errors in vnu_bad.items():
        for error in errors[:10]:
            lines.append(f"  - {page}: {error}")
    for page, scores in report["lighthouse"].items():
        values = {k: scores[k] for k in LIGHTHOUSE_CATEGORIES}
        ok &= all(v == 100 for v in values.values())
        lines.append(
            f"- Lighthouse (mobile) {page}: " + ", ".join(f"{k} {v}" for k, v in values.items())
        )
        for audit in scores["below 1"]:
            lines.append(f"  - {audit}")
    weight = report["weight"]
    ok &= weight["bytes"] < PAGE_WEIGHT_BUDGET and not weight["other_hosts"]
    lines.append(
        f"- Home page weight: {weight['bytes'] / 1024:.1f} KB compressed without the author's "
        f"media ({weight['bytes_with_media'] / 1024:.1f} KB with it); budget 60 KB; "
        f"{len(weight['requests'])} requests; other hosts: {weight['other_hosts'] or 'none'}; "
        f"scripts on the page: {weight['scripts']}"
    )
    lines.append(f"- Screenshots: {REPORT / 'screenshots'}")
    lines.append("")
    lines.append("Result: " + ("all gates pass" if ok else "SOME GATES FAIL"))
    return "\n".join(lines), ok


def main() -> int:
    if not NODE_MODULES.exists():
        raise SystemExit("Run `make audit` (it installs the npm packages in audit/ first).")
    REPORT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="blog-audit-") as tmp:
        env = prepare_site(Path(tmp), port)
        server = start_server(env, port)
        try:
            base = env["SITE_URL"]
            urls = page_types(env)
            report = {
                "pages": urls,
                "axe": run_axe_and_screenshots(base, urls),
                "vnu": run_vnu(base, urls),
                "lighthouse": run_lighthouse(base, urls),
                "weight": measure_home_weight(base),
            }
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    (REPORT / "report.json").write_text(json.dumps(report, indent=2))
    summary, ok = summarize(report)
    (REPORT / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
