#!/usr/bin/python3
"""Serves GStreamer's test pattern as MJPEG over HTTP (multipart/x-mixed-replace, as IP cameras do), for the http://
source's integration tests.

usage: serve_mjpeg.py PORT [--path /video.mjpg] [--user NAME --password SECRET] [--size 320x240] [--fps 15]

Prints "ready http://127.0.0.1:PORT/PATH" once it listens. Needs python3-gi and gstreamer1.0-plugins-base/-good.
"""
import argparse
import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--path", default="/video.mjpg")
parser.add_argument("--user")
parser.add_argument("--password")
parser.add_argument("--size", default="320x240")
parser.add_argument("--fps", type=int, default=15)
args = parser.parse_args()
width, height = (int(v) for v in args.size.split("x"))

Gst.init(None)
pipeline = Gst.parse_launch(
    f"videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate={args.fps}/1 "
    "! jpegenc ! appsink name=sink max-buffers=1 drop=true sync=false")
sink = pipeline.get_by_name("sink")
pipeline.set_state(Gst.State.PLAYING)
latest = [None]
changed = threading.Condition()


def pump():
    while (sample := sink.emit("pull-sample")) is not None:
        buffer = sample.get_buffer()
        with changed:
            latest[0] = buffer.extract_dup(0, buffer.get_size())
            changed.notify_all()


expected = "Basic " + base64.b64encode(f"{args.user}:{args.password or ''}".encode()).decode() if args.user else None


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != args.path:
            self.send_error(404)
            return
        if expected and self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="camera"')
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        shown = None
        try:
            while True:
                with changed:
                    changed.wait_for(lambda: latest[0] is not shown)
                    shown = latest[0]
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n" % (len(shown), shown))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *_):
        pass


threading.Thread(target=pump, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print(f"ready http://127.0.0.1:{args.port}{args.path}", flush=True)
server.serve_forever()
