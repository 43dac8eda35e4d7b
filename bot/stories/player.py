"""Plays one dialogue story in this process: a fresh seeded database, real Redis, the
real app (webhook, console, sandbox platform) answered in-process, RQ jobs run by a real
worker in burst mode after every step, and the service clock frozen and moved by the
story."""

from __future__ import annotations

import re
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from bot.app import create_app
from bot.jobs.registry import load
from bot.periodic import PERIODIC_JOBS
from bot.runtime import Runtime, set_runtime
from bot.sandbox.inprocess import InProcessTransport, in_process_transport
from bot.sandbox.simulator import WeChatSimulator
from bot.settings import Settings
from bot.stories.checks import check_records, check_sent, describe_sent
from bot.stories.environment import server_timezone
from bot.stories.model import Step, Story, china_time, duration
from storage.clock import FrozenClock, set_clock
from storage.models import SandboxRecord
from storage.outbound.queues import all_queue_names
from storage.seed import DEMO_PASSWORD

HOST = "http://shequ.test"
TOKEN = "story-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wxstory000000001"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
PLACEHOLDER = re.compile(r"\{(\w+)(?:\.(\w+))?\}")
# `{ticket.code}` and friends: the newest row of these models.
NEWEST = {
    "ticket": "ServiceRequest",
    "order": "MealOrder",
    "task": "VolunteerTask",
    "handover": "Handover",
    "application": "JobApplication",
    "posting": "JobPosting",
    "meeting": "CouncilMeeting",
    "notice": "Notice",
    "poll": "Poll",
    "need": "Need",
    "resource": "Resource",
    "item": "CouncilItem",
    "project": "Project",
    "milestone": "Milestone",
    "pair": "Pair",
    "visit": "Visit",
}


class StoryError(Exception):
    """A step could not be carried out as written (not an expectation failing)."""


def load_story(path: Path) -> Story:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Story.model_validate(data)


@dataclass
class StoryResult:
    path: str
    name: str
    passed: bool
    seconds: float
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        return f"{mark} {self.path} — {self.name} ({self.seconds:.1f}s)"


def story_settings(database_url: str, redis_url: str, data_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        SHEQU_ENV="local",
        SHEQU_DATA_DIR=data_dir,
        WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY,
        WECHAT_APPID=APPID,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SHEQU_PUBLIC_URL=HOST,
        WECHAT_API_BASE=f"{HOST}/sandbox/api/wechat",
        WECOM_API_BASE=f"{HOST}/sandbox/api/wecom",
    )


class StoryPlayer:
    def __init__(self, story: Story, runtime: Runtime, transport: InProcessTransport) -> None:
        self.story = story
        self.runtime = runtime
        self.transport = transport
        self.client = self._browser()
        self.sim = WeChatSimulator(TOKEN, AES_KEY, APPID)
        self.saved: dict[str, str] = {}
        self.consoles: dict[str, tuple[httpx.Client, str]] = {}
        self.clock = FrozenClock(china_time(story.at))

    # -- the whole story -------------------------------------------------------------------

    def play(self) -> list[str]:
        set_clock(self.clock)
        with server_timezone(self.story.server_tz):
            return self._play_steps()

    def _play_steps(self) -> list[str]:
        try:
            for number, step in enumerate(self.story.steps, start=1):
                failures = self._play_step(step)
                if failures:
                    label = f"step {number} ({self._describe(step)})"
                    return [f"{label}: {failure}" for failure in failures]
            return []
        finally:
            set_clock(None)
            for console, _csrf in self.consoles.values():
                console.close()
            self.client.close()

    def _browser(self) -> httpx.Client:
        return httpx.Client(transport=self.transport, base_url=HOST, follow_redirects=False)

    def _play_step(self, step: Step) -> list[str]:
        mark = self._last_record_id()
        reply: str | None = None
        response_text = ""
        try:
            if step.action == "message":
                reply = self._message(step)
            elif step.action == "staff":
                response_text = self._staff(step)
            else:
                self._move_clock(step)
            self._settle()
        except StoryError as exc:
            return [str(exc)]
        except Exception:  # the service failing is a story failing, with its traceback
            return ["the service raised:\n" + traceback.format_exc(limit=8)]
        try:
            return self._check(step, mark, reply, response_text)
        except StoryError as exc:
            return [str(exc), f"the reply was «{reply}»"]

    # -- actions ---------------------------------------------------------------------------

    def _message(self, step: Step) -> str | None:
        openid = step.sender or self.story.resident
        if step.say is not None:
            fields = self.sim.text_fields(openid, self._fill(step.say))
        elif step.voice is not None:
            fields = self.sim.message_fields(
                openid, "voice", MediaId="story-voice", Format="amr", Recognition=step.voice
            )
        elif step.image:
            fields = self.sim.message_fields(
                openid, "image", PicUrl=f"{HOST}/sandbox/pic.jpg", MediaId="story-pic"
            )
        elif step.location is not None:
            fields = self.sim.message_fields(
                openid,
                "location",
                Location_X="31.2304",
                Location_Y="121.4737",
                Scale="15",
                Label=step.location,
            )
        else:
            assert step.event is not None
            fields = self.sim.event_fields(openid, step.event, key=step.key)
        signed = self.sim.sign_request(fields)
        answer = self.client.post("/wechat", params=signed.params, content=signed.body)
        if answer.status_code != 200:
            raise StoryError(f"the webhook answered {answer.status_code}: {answer.text[:300]}")
        return self.sim.read_reply(answer.status_code, answer.content).text

    def _staff(self, step: Step) -> str:
        assert step.staff is not None
        console, csrf = self._console(step.staff)
        path = self._fill(step.post or step.get or "")
        if step.get:
            answer = console.get(path)
        elif step.form is not None:
            form = {key: self._fill(value) for key, value in step.form.items()}
            answer = console.post(path, data={"csrf_token": csrf, **form})
        else:
            answer = console.post(
                path, json=self._fill_json(step.json_body), headers={"X-CSRF-Token": csrf}
            )
        expected = step.status
        if expected is not None and answer.status_code != expected:
            raise StoryError(
                f"{step.staff} got {answer.status_code} (expected {expected}): {answer.text[:300]}"
            )
        if expected is None and answer.status_code >= 400:
            raise StoryError(f"{step.staff} got {answer.status_code}: {answer.text[:300]}")
        return answer.text

    def _console(self, username: str) -> tuple[httpx.Client, str]:
        if username not in self.consoles:
            console = self._browser()
            page = console.get("/admin/login")
            token = CSRF_FIELD.search(page.text)
            if token is None:
                raise StoryError("the sign-in page has no CSRF token")
            signed = console.post(
                "/admin/login",
                data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token[1]},
            )
            if signed.status_code != 303:
                raise StoryError(f"{username} could not sign in ({signed.status_code})")
            me = console.get("/admin/api/me").json()
            self.consoles[username] = (console, me["csrf_token"])
        return self.consoles[username]

    def _move_clock(self, step: Step) -> None:
        if step.wait:
            self.clock.advance(duration(step.wait))
        elif step.until:
            target = china_time(step.until)
            if target < self.clock.now():
                raise StoryError(f"until {step.until} is in the story's past")
            self.clock.set(target)
        for job in PERIODIC_JOBS:
            load(job.job)()

    def _settle(self) -> None:
        """Push the outbox to RQ and let a real worker run everything queued, until
        jobs stop making more jobs."""
        redis = self.runtime.redis
        with self.runtime.session_factory() as session:
            names = all_queue_names(session)
        queues = [Queue(name, connection=redis) for name in names]
        for _round in range(8):
            drained = self.runtime.drain_outbox()
            if not drained and not any(queue.count for queue in queues):
                return
            SimpleWorker(queues, connection=redis).work(burst=True, logging_level="WARNING")
        raise StoryError("jobs kept making jobs after eight rounds")

    # -- expectations ----------------------------------------------------------------------

    def _check(self, step: Step, mark: int, reply: str | None, response: str) -> list[str]:
        failures: list[str] = []
        text = reply or ""
        for name, pattern in step.save.items():
            found = re.search(pattern, text)
            if found is None:
                failures.append(f"save {name}: /{pattern}/ not in the reply")
            else:
                self.saved[name] = found.group(1) if found.groups() else found.group(0)
        if step.no_reply and reply:
            failures.append(f"expected no reply, got «{reply}»")
        if step.action == "message" and not step.no_reply and not reply and step.reply:
            failures.append("expected a reply, got none")
        for fragment in step.reply:
            if self._fill(fragment) not in text:
                failures.append(f"reply lacks 「{fragment}」")
        for fragment in step.reply_lacks:
            if self._fill(fragment) in text:
                failures.append(f"reply must not contain 「{fragment}」")
        for fragment in step.response:
            if self._fill(fragment) not in response:
                failures.append(f"staff answer lacks 「{fragment}」: {response[:300]}")
        with self.runtime.session_factory() as session:
            sent = list(
                session.scalars(
                    select(SandboxRecord)
                    .where(SandboxRecord.id > mark)
                    .where(SandboxRecord.kind.notin_(("token", "passive_reply")))
                    .order_by(SandboxRecord.id)
                )
            )
            failures += check_sent(step, sent, self._fill, nothing=step.nothing_sent)
            failures += check_records(session, step.records, self._fill, self._fill_json)
        if failures:
            failures.append(f"the reply was «{reply}»")
            failures.append("sent during the step: " + describe_sent(sent))
        return failures

    # -- placeholders ----------------------------------------------------------------------

    def _fill(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name, attribute = match.group(1), match.group(2)
            if name in self.saved and attribute is None:
                return self.saved[name]
            if name in NEWEST:
                return str(self._newest(NEWEST[name], attribute or "id"))
            raise StoryError(f"unknown placeholder {match.group(0)}")

        return PLACEHOLDER.sub(value, text)

    def _fill_json(self, data: Any) -> Any:
        if isinstance(data, str):
            return self._fill(data)
        if isinstance(data, list):
            return [self._fill_json(item) for item in data]
        if isinstance(data, dict):
            return {key: self._fill_json(item) for key, item in data.items()}
        return data

    def _newest(self, model_name: str, attribute: str) -> Any:
        import storage.models as models

        model = getattr(models, model_name)
        with self.runtime.session_factory() as session:
            row = session.scalars(select(model).order_by(model.id.desc()).limit(1)).first()
            if row is None:
                raise StoryError(f"no {model_name} yet for a placeholder")
            return getattr(row, attribute)

    def _last_record_id(self) -> int:
        with self.runtime.session_factory() as session:
            return int(
                session.scalar(select(SandboxRecord.id).order_by(SandboxRecord.id.desc())) or 0
            )

    def _describe(self, step: Step) -> str:
        for name in ("say", "voice", "location", "event", "wait", "until"):
            value = getattr(step, name)
            if value:
                return f"{name} {value}"
        if step.image:
            return "image"
        return f"{step.staff} {step.post or step.get}"


class StoryService:
    """The service stories play against: one runtime and one app for a whole run,
    rebound to each story's fresh database (building the app costs ~0.4 s), its
    outbound HTTP answered by itself. Use as a context manager."""

    def __init__(self, redis_url: str, data_dir: Path) -> None:
        self.redis_url = redis_url
        self.data_dir = data_dir
        self._stack = ExitStack()
        self._served: tuple[Runtime, InProcessTransport] | None = None

    def __enter__(self) -> StoryService:
        return self

    def __exit__(self, *exc: object) -> None:
        set_runtime(None)
        self._stack.close()

    def ready(self, database_url: str) -> tuple[Runtime, InProcessTransport]:
        settings = story_settings(database_url, self.redis_url, self.data_dir)
        client = Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()
        if self._served is None:
            runtime = Runtime(settings)
            self._stack.callback(runtime.close)
            app = create_app(runtime)
            transport = self._stack.enter_context(in_process_transport(app))
            outbound = httpx.Client(transport=transport, base_url=HOST, timeout=10)
            self._stack.callback(outbound.close)
            runtime.answer_http_in_process(outbound)
            self._served = (runtime, transport)
        else:
            runtime, transport = self._served
            runtime.rebind(settings)
            transport.app.state.lexicon.refresh()
        set_runtime(runtime)
        return self._served

    def play(self, path: Path, database_url: str, label: str | None = None) -> StoryResult:
        started = time.monotonic()
        shown = label or str(path)
        try:
            story = load_story(path)
        except Exception as exc:  # a malformed story file is a failing story, said plainly
            return StoryResult(shown, path.stem, False, 0.0, [f"cannot read the story: {exc}"])
        runtime, transport = self.ready(database_url)
        failures = StoryPlayer(story, runtime, transport).play()
        return StoryResult(shown, story.story, not failures, time.monotonic() - started, failures)
