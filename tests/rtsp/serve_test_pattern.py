#!/usr/bin/python3
"""Serves GStreamer's test pattern as H.264 over RTSP, for the RTSP source's integration tests.

usage: serve_test_pattern.py PORT [--path /test] [--user NAME --password SECRET] [--size 320x240] [--fps 15]
                             [--pattern ball] [--audio | --audio-only]

Prints "ready rtsp://127.0.0.1:PORT/PATH" on stdout once it listens. Needs Debian's gir1.2-gst-rtsp-server-1.0,
python3-gi, gstreamer1.0-plugins-base/-good and gstreamer1.0-plugins-ugly (x264enc).
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--path", default="/test")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--size", default="320x240")
parser.add_argument("--fps", type=int, default=15)
parser.add_argument("--pattern", default="ball", help="videotestsrc pattern (smpte: vertical colour bars)")
parser.add_argument("--audio", action="store_true", help="serve a tone as a second track, as many cameras do")
parser.add_argument("--audio-only", action="store_true", help="serve a tone and no video track")
args = parser.parse_args()
width, height = (int(v) for v in args.size.split("x"))

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(str(args.port))
factory = GstRtspServer.RTSPMediaFactory()
video = (
    f"videotestsrc is-live=true pattern={args.pattern} ! video/x-raw,width={width},height={height},framerate={args.fps}/1 "
    "! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 "
    "! rtph264pay name=pay0 pt=96 config-interval=1")
audio = "audiotestsrc is-live=true ! audioconvert ! audioresample ! alawenc ! rtppcmapay name=pay{} pt=8"
if args.audio_only:
    factory.set_launch(f"( {audio.format(0)} )")
elif args.audio:
    # The audio track first, so a client that links the first track it sees gets no video.
    factory.set_launch(f"( {audio.format(0)} {video.replace('pay0', 'pay1')} )")
else:
    factory.set_launch(f"( {video} )")
factory.set_shared(True)
if args.user:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ""), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("user", "media.factory.access", True)
    permissions.add_permission_for_role("user", "media.factory.construct", True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory(args.path, factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on 127.0.0.1:{args.port}")
print(f"ready rtsp://127.0.0.1:{args.port}{args.path}", flush=True)
GLib.MainLoop().run()
