#!/usr/bin/env python3
"""A hostile or misconfigured peer for Aula's camera-credential tests (issue 15, class 5).

Usage: fake_rtsp_service.py MODE LOGFILE [ARG]
  banner       answer any connection with a non-RTSP banner that must never be echoed
  challenge    answer every RTSP request with 401 and a Basic challenge; log every request
  redirect     answer every RTSP request with 302 to rtsp://127.0.0.1:ARG/elsewhere; log requests
  silent       a camera that accepts OPTIONS, DESCRIBE, SETUP and PLAY, then never sends a packet
Prints the port it listens on (127.0.0.1, chosen by the system), then serves until killed.
Every request received is appended to LOGFILE, so a test can see which credentials reached it.
"""
import signal
import socket
import sys
import threading

# A parent that ignores SIGTERM (a test process running a service group) passes that on: undo it.
signal.signal(signal.SIGTERM, signal.SIG_DFL)

mode, log = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else ""
BANNER = b"SSH-2.0-OpenSSH_9.2p1 SECRET-BANNER-7f3a internal build host\r\n"


def cseq(request):
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"cseq:"):
            return line.split(b":", 1)[1].strip()
    return b"1"


SDP = (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=silent\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
       b"a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n")


def silent_reply(request):
    head = b"RTSP/1.0 200 OK\r\nCSeq: " + cseq(request) + b"\r\n"
    method = request.split(b" ", 1)[0]
    if method == b"DESCRIBE":
        return head + b"Content-Type: application/sdp\r\nContent-Length: " + str(len(SDP)).encode() + b"\r\n\r\n" + SDP
    if method == b"SETUP":
        return head + b"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 1234;timeout=60\r\n\r\n"
    if method == b"PLAY":
        return head + b"Session: 1234\r\n\r\n"
    return head + b"Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n\r\n"


def serve(conn):
    with conn:
        if mode == "banner":
            conn.sendall(BANNER)
            try:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: SECRET-BANNER-7f3a\r\n\r\n")
            except OSError:
                pass
            return
        data = b""
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            data += chunk
            while b"\r\n\r\n" in data:
                request, data = data.split(b"\r\n\r\n", 1)
                with open(log, "ab") as f:
                    f.write(request + b"\r\n\r\n")
                if mode == "silent":
                    reply = silent_reply(request)
                elif mode == "challenge":
                    reply = b"RTSP/1.0 401 Unauthorized\r\nCSeq: " + cseq(request) + b"\r\nWWW-Authenticate: Basic realm=\"fake\"\r\n\r\n"
                else:
                    reply = (b"RTSP/1.0 302 Found\r\nCSeq: " + cseq(request) + b"\r\nLocation: rtsp://127.0.0.1:"
                             + arg.encode() + b"/elsewhere\r\n\r\n")
                conn.sendall(reply)


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    c, _ = server.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
