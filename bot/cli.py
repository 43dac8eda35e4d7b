"""`shequ`: the operator's command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.logging_setup import configure_logging
from bot.settings import get_settings


def _cmd_serve(args: argparse.Namespace) -> int:
    from bot.embedded import serve

    return serve(host=args.host, port=args.port, workers=args.workers)


def _cmd_web(args: argparse.Namespace) -> int:
    from bot.serving import run_web

    run_web(args.host, args.port, workers=args.workers)
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from bot.worker import run_worker

    grids = [int(g) for g in args.grids.split(",")] if args.grids else None
    return run_worker(grids=grids, burst=args.burst, fork=args.fork)


def _cmd_scheduler(args: argparse.Namespace) -> int:
    import signal
    import threading

    from bot.runtime import get_runtime
    from bot.scheduler import run_scheduler

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        run_scheduler(get_runtime(), stop)
    return 0


def _cmd_db(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(get_settings().sqlalchemy_url, args.revision)
    print("数据库已升级到", args.revision)
    return 0


DEMO_REFUSED = (
    "正式环境（SHEQU_ENV=production）不能创建演示社区：演示账号共用公开的演示密码。"
    "请用 shequ staff add 创建工作人员账号。"
)


def _cmd_seed(args: argparse.Namespace) -> int:
    from bot.embedded import prepare_database

    settings = get_settings()
    if not settings.is_local:
        print(DEMO_REFUSED, file=sys.stderr)
        return 2
    seeded = prepare_database(settings)
    print("已创建演示社区「城南社区」" if seeded else "数据库里已有社区，未重复创建")
    return 0


def _cmd_send(args: argparse.Namespace) -> int:
    import httpx

    from bot.sandbox.simulator import WeChatSimulator

    settings = get_settings()
    sim = WeChatSimulator(
        args.token or settings.wechat_token,
        args.aes_key or settings.wechat_aes_key,
        args.appid or settings.wechat_appid,
        account=args.account,
        mode=args.mode or settings.encrypt_mode,
    )
    if args.event:
        fields = sim.event_fields(args.openid, args.event, key=args.event_key or "")
    else:
        fields = sim.text_fields(args.openid, args.text)
    signed = sim.sign_request(fields)
    response = httpx.post(args.url, params=signed.params, content=signed.body, timeout=10)
    reply = sim.read_reply(response.status_code, response.content)
    elapsed = response.elapsed.total_seconds() * 1000
    print(f"HTTP {response.status_code} in {elapsed:.0f} ms")
    print(reply.text if reply.text is not None else (reply.raw or "(empty)"))
    return 0 if response.status_code == 200 else 1


def _cmd_check(args: argparse.Namespace) -> int:
    from bot.preflight import main as preflight

    return preflight()


def _cmd_nlu_eval(args: argparse.Namespace) -> int:
    import nlp

    records = []
    with open(args.file, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    print(f"第 {number} 行不是合法的 JSON：{exc}", file=sys.stderr)
                    return 2
    report = nlp.evaluate(records)
    print(nlp.format_report(report))
    if args.json:
        keys = (
            "accuracy",
            "macro_f1",
            "intents",
            "entities",
            "count",
            "macro_f1_union",
            "labels_union",
            "macro_f1_gold",
            "category_accuracy",
            "category_support",
        )
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({k: report[k] for k in keys}, out, ensure_ascii=False, indent=2)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shequ", description="社区助手 command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="embedded mode: web + worker + scheduler + Redis + demo")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="web worker processes (default: SHEQU_WEB_WORKERS, else one per CPU, at most 4)",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("web", help="the web process (uvicorn)")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=_cmd_web)

    p = sub.add_parser("worker", help="RQ worker for all grids or a chosen list")
    p.add_argument("--grids", help="comma-separated grid ids, e.g. 1,2 (default: all)")
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    p.add_argument("--fork", action="store_true", help="run each job in a forked process")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser("scheduler", help="periodic jobs")
    p.set_defaults(func=_cmd_scheduler)

    p = sub.add_parser("db", help="database schema")
    db_sub = p.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_cmd_db)

    p = sub.add_parser("seed-demo", help="create the demo community 城南社区 if empty")
    p.set_defaults(func=_cmd_seed)

    from bot.cli_staff import add_staff_commands

    add_staff_commands(sub)

    p = sub.add_parser("send", help="post a signed message to a webhook and print the reply")
    p.add_argument("url")
    p.add_argument("--text", default="帮助")
    p.add_argument("--openid", default="operator-check")
    p.add_argument("--event", help="send an event instead, e.g. subscribe")
    p.add_argument("--event-key")
    p.add_argument(
        "--mode",
        choices=["plain", "compatible", "safe"],
        help="default: WECHAT_ENCRYPT_MODE (safe in production)",
    )
    p.add_argument("--token")
    p.add_argument("--aes-key")
    p.add_argument("--appid")
    p.add_argument("--account", default="gh_shequ_demo")
    p.set_defaults(func=_cmd_send)

    p = sub.add_parser("check", help="preflight: is this configuration ready for production?")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("nlu", help="language understanding tools")
    nlu_sub = p.add_subparsers(dest="nlu_command", required=True)
    ev = nlu_sub.add_parser("eval", help="evaluate on a labelled JSONL file")
    ev.add_argument("file")
    ev.add_argument("--json", help="write the figures as JSON here")
    ev.set_defaults(func=_cmd_nlu_eval)

    from bot.stories.cli import add_stories_parser

    add_stories_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "check":  # check reports unsafe settings instead of refusing them
        try:
            settings = get_settings()
        except ValidationError as exc:
            print(_settings_refused(exc), file=sys.stderr)
            return 2
        configure_logging(settings.log_level)
    result: int = args.func(args)
    return result


def _settings_refused(exc: ValidationError) -> str:
    lines = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
    return "\n".join([*lines, "", "运行 shequ check 查看每个问题的改法（docs/deploy.md）。"])


if __name__ == "__main__":
    sys.exit(main())
