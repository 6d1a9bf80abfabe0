#!/usr/bin/python3
"""A GStreamer RTSP server used by Aula's tests as an independent camera.

Mounts (each client gets its own pipeline, starting at frame 0):
  /h264    H.264 at FPS, a key frame every KEYINT frames (endless, or FRAMES frames then end of stream)
  /h265    the same in H.265
  /sub     a camera's sub stream: H.264 at SUB_WIDTH x SUB_HEIGHT (with /h265 as the main stream,
           the H.265 camera with an H.264 sub stream that new cameras are)
  /secure  on PORT+1: like /h264, behind Digest authentication (user "aula", password "secret")

Prints "ready PORT" on stdout once it listens. Run with Debian's /usr/bin/python3 (python3-gi).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def launch(codec: str, frames: int, keyint: int, width: int, height: int, fps: int) -> str:
    limit = f"num-buffers={frames} " if frames > 0 else ""
    src = (f"videotestsrc {limit}is-live=true pattern=ball ! "
           f"video/x-raw,width={width},height={height},framerate={fps}/1,format=I420 ! ")
    if codec == "h264":
        enc = (f"x264enc key-int-max={keyint} bframes=0 tune=zerolatency speed-preset=ultrafast bitrate=1000 ! "
               "video/x-h264,profile=high ! rtph264pay name=pay0 pt=96 config-interval=-1")
    else:
        enc = (f"x265enc key-int-max={keyint} tune=zerolatency speed-preset=ultrafast bitrate=1000 ! "
               "rtph265pay name=pay0 pt=96 config-interval=-1")
    return f"( {src}{enc} )"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8655)
    parser.add_argument("--frames", type=int, default=0)
    parser.add_argument("--keyint", type=int, default=25)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--sub-width", type=int, default=160)
    parser.add_argument("--sub-height", type=int, default=120)
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()

    def factory(codec: str, secure: bool, sub: bool = False) -> GstRtspServer.RTSPMediaFactory:
        f = GstRtspServer.RTSPMediaFactory()
        width, height = (args.sub_width, args.sub_height) if sub else (args.width, args.height)
        f.set_launch(launch(codec, args.frames, args.keyint, width, height, args.fps))
        f.set_shared(False)
        f.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if secure:
            f.add_role_from_structure(Gst.Structure.from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
        return f

    mounts.add_factory("/h264", factory("h264", False))
    mounts.add_factory("/h265", factory("h265", False))
    mounts.add_factory("/sub", factory("h264", False, sub=True))

    # gst-rtsp-server challenges only clients without a token, so the protected mount lives on a
    # second server (PORT+1) that has no default token and answers 401 until Digest succeeds.
    secure_server = GstRtspServer.RTSPServer()
    secure_server.set_address("127.0.0.1")
    secure_server.set_service(str(args.port + 1))
    secure_server.get_mount_points().add_factory("/secure", factory("h264", True))
    auth = GstRtspServer.RTSPAuth()
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    auth.add_digest("aula", "secret", token)
    secure_server.set_auth(auth)
    if secure_server.attach(None) == 0:
        print("could not bind the secure server", file=sys.stderr)
        return 1

    if server.attach(None) == 0:
        print("could not bind", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    # PyGObject's main loop would otherwise swallow SIGTERM and never exit.
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"ready {args.port}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
