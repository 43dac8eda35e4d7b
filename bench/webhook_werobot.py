"""WeRoBot 1.13 as the reference: installed with pip from PyPI into a separate virtualenv
under the benchmark's temporary directory (never a project dependency), run by gunicorn
with 2 sync workers, answering with a keyword reply. Sessions are off
(`SESSION_STORAGE=False`): WeRoBot then stores nothing, as the issue describes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.webhook_setup import TOKEN

WEROBOT = "werobot==1.13.1"
GUNICORN = "gunicorn"

APP = """
import re

from werobot import WeRoBot

robot = WeRoBot(token={token!r}, SESSION_STORAGE=False)


@robot.filter(re.compile(".*(坏|停|垃圾).*"))
def report():
    return "已记录您反映的问题，我们会尽快处理。"


@robot.filter(re.compile(".*(工作|招人|培训).*"))
def job():
    return "找工作请留下您的技能和想去的地方。"


@robot.text
def hello():
    return "您好！我是社区助手。"


robot_app = robot.wsgi


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return robot_app(environ, start_response)
"""


def install(tmp: Path) -> Path:
    """A virtualenv with WeRoBot and gunicorn; returns its folder (app file inside)."""
    venv = tmp / "werobot-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             WEROBOT, GUNICORN],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # pip's index warnings; a failure still raises
        )  # fmt: skip
    (venv / "werobot_app.py").write_text(APP.format(token=TOKEN), encoding="utf-8")
    return venv


def command(venv: Path, port: int, workers: int = 2) -> tuple[list[str], dict[str, str]]:
    cmd = [
        str(venv / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--chdir",
        str(venv),
        "werobot_app:app",
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return cmd, env
