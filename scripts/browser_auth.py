#!/usr/bin/env python3
"""Headless-Chromium check of sign-in and the audit page against a running `aula demo` or `aula serve`.

    scripts/browser_auth.py http://127.0.0.1:8080 NAME PASSWORD

Drives a real browser over the DevTools protocol (standard library only): opens /audit.html, which
must send it to /login.html; signs in through the form; checks the session cookie is invisible to
scripts while the CSRF cookie is readable; back on /audit.html, waits for the entries and the
chain's verification. Exit status 1 on any failure. Needs Debian's `chromium`.
"""
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse



class DevTools:
    """A minimal WebSocket client (RFC 6455, text frames) for one DevTools connection."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(1)
        assert b" 101 " in response.split(b"\r\n")[0], response
        self.next_id = 0
        self.session = None

    def _send(self, text):
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError
            out += chunk
        return out

    def _receive(self):
        first, second = self._exact(2)
        n = second & 0x7F
        if n == 126:
            n = int.from_bytes(self._exact(2), "big")
        elif n == 127:
            n = int.from_bytes(self._exact(8), "big")
        payload = self._exact(n)
        return json.loads(payload) if first & 0x0F == 1 else None

    def call(self, method, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        self._send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply and reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.evaluate(expression)
                if value:
                    return value
            except RuntimeError:
                pass  # the page is navigating
            time.sleep(0.2)
        return None


def open_browser(profile):
    """Starts headless Chromium with `profile` and returns (process, DevTools attached to a new tab)."""
    browser = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "about:blank"], stderr=subprocess.PIPE, text=True)
    url = None
    for line in browser.stderr:
        match = re.search(r"(ws://\S+)", line)
        if match:
            url = match.group(1)
            break
    tools = DevTools(url)
    target = tools.call("Target.createTarget", url="about:blank")["targetId"]
    tools.session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    return browser, tools


def sign_in(tools, base, name, password, path):
    """Opens `path`, which must send an anonymous browser to /login.html, and signs in through the
    form; returns a failure message or None once the browser is back on `path`."""
    tools.call("Page.navigate", url=f"{base}{path}")
    if not tools.wait_for("location.pathname === '/login.html'"):
        return f"an anonymous visit to {path} did not go to the sign-in page"
    tools.wait_for("document.querySelector('#signin input[name=name]') !== null && document.body.dataset.ready === 'true'")
    tools.evaluate(f"""(() => {{
        const f = document.getElementById('signin');
        f.elements.name.value = {json.dumps(name)};
        f.elements.password.value = {json.dumps(password)};
        f.requestSubmit();
        return true; }})()""")
    target = path.split("?")[0]
    if not tools.wait_for(f"location.pathname === {json.dumps(target)}"):
        return f"signing in did not return to {target}: " + str(tools.evaluate("document.getElementById('message')?.textContent"))
    return None


def report(seen, failures):
    """Prints what a check saw (one JSON line) and each failure; the exit status for the test."""
    if seen is not None:
        print(json.dumps(seen, ensure_ascii=False))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


def main():
    BASE, NAME, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
    profile = tempfile.mkdtemp(prefix="aula-browser-")
    browser, tools = open_browser(profile)
    failures = []
    try:
        tools.call("Page.navigate", url=f"{BASE}/audit.html")
        if not tools.wait_for("location.pathname === '/login.html'"):
            failures.append("an anonymous visit to /audit.html did not go to the sign-in page")
        tools.wait_for("document.querySelector('#signin input[name=name]') !== null && document.body.dataset.ready === 'true'")
        tools.evaluate(f"""(() => {{
            const f = document.getElementById('signin');
            f.elements.name.value = {json.dumps(NAME)};
            f.elements.password.value = {json.dumps(PASSWORD)};
            f.requestSubmit();
            return true; }})()""")
        if not tools.wait_for("location.pathname === '/audit.html'"):
            failures.append("signing in did not return to /audit.html: " + str(tools.evaluate("document.getElementById('message')?.textContent")))
        cookies = tools.evaluate("document.cookie") or ""
        if "aula_session" in cookies:
            failures.append("the session cookie is readable by scripts")
        if "aula_csrf=" not in cookies:
            failures.append("the CSRF cookie is not readable by the page")
        verified = tools.wait_for("(document.getElementById('verify').textContent || '')")
        if not verified or "intact" not in verified:
            failures.append(f"audit verification not shown as intact: {verified!r}")
        rows = tools.wait_for("document.querySelectorAll('#entries tr').length")
        if not rows:
            failures.append("no audit entries shown")
        signin = tools.evaluate("[...document.querySelectorAll('#entries tr')].some(r => r.textContent.includes('signin'))")
        if not signin:
            failures.append("the sign-in is not in the audit trail shown")
        print(f"audit page: {rows} entries, {verified}")
    finally:
        browser.kill()
    return report(None, failures)


if __name__ == "__main__":
    sys.exit(main())
