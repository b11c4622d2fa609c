"""How fast the web demo answers: one request at a time, and 20 at once.

Starts ``python -m zoo serve`` on a free port of 127.0.0.1, asks it for a grid
of 16 samples through Gradio's own client (the request a page makes), and
prints the median and 95th percentile of the round trip; then sends 20
requests at once and prints how long the last one took and the server's
memory before and after.

    python benchmarks/demo_latency.py [--preset dcgan-mnist] [--requests 50]
"""

from absl import app, flags
import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


flags.DEFINE_string("preset", "dcgan-mnist", "The preset the page samples.")
flags.DEFINE_integer("requests", 50, "Requests timed one at a time.")
flags.DEFINE_integer("count", 16, "Images a request asks for.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    args = FLAGS

    import psutil
    from gradio_client import Client

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "zoo", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    url = f"http://127.0.0.1:{port}/"
    started = time.time()
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if time.time() - started > 180 or server.poll() is not None:
                server.kill()
                sys.exit("the demo did not start")
            time.sleep(0.3)
    print(f"server up in {time.time() - started:.1f} s")
    try:
        client = Client(url, verbose=False, download_files=False)

        def ask(seed):
            t = time.perf_counter()
            result = client.predict(args.preset, seed, args.count, "any", api_name="/sample")
            urllib.request.urlopen(result["url"], timeout=60).read()
            return time.perf_counter() - t

        ask(0)  # the first request loads the model
        times = np.array([ask(i) for i in range(args.requests)])
        print(f"{args.count} images of {args.preset}, one request at a time (n = {args.requests}): "
              f"median {np.median(times) * 1000:.0f} ms, p95 {np.percentile(times, 95) * 1000:.0f} ms")
        rss = psutil.Process(server.pid).memory_info().rss
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            burst = list(pool.map(ask, range(20)))
        print(f"20 requests at once: all answered in {time.perf_counter() - t:.2f} s "
              f"(slowest {max(burst):.2f} s); server memory {rss >> 20} -> "
              f"{psutil.Process(server.pid).memory_info().rss >> 20} MiB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    app.run(main)
