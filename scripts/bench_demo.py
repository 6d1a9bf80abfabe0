"""What the benchmarks share: `aula demo` started in a fresh data folder (with the encoded scenes of
earlier runs, so that it starts in seconds) and an API token of its administrator once it answers."""
import os
import shutil
import socket
import subprocess
import tempfile
import time


def start_demo(aula, port, arguments, prefix="aula-bench-"):
    """Starts `aula demo` on 127.0.0.1:PORT with `arguments`; returns (process, data folder, token).
    Raises RuntimeError (after stopping it) when the demo does not answer within five minutes."""
    data = tempfile.mkdtemp(prefix=prefix)
    if os.path.isdir("./aula-data/sim-cache"):
        shutil.copytree("./aula-data/sim-cache", data + "/sim-cache")
    demo = subprocess.Popen([aula, "demo", "--data", data, "--listen", f"127.0.0.1:{port}", "--rtsp-port", "0"] + arguments,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        time.sleep(0.5)
        try:
            token = subprocess.run([aula, "token", "create", "--user", "demo", "--data", data],
                                   capture_output=True, text=True, check=True).stdout.strip().split()[-1]
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return demo, data, token
        except (subprocess.CalledProcessError, OSError, IndexError):
            continue
    demo.terminate()
    demo.wait()
    raise RuntimeError("the demo did not start")
