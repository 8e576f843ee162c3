"""Three deployments for the router reliability test, served from their own process.

``resets`` resets every connection after reading the request, ``storms`` answers every request with a
429 (``Retry-After`` 20 ms), ``healthy`` echoes the request id. Run as a script it prints one JSON line
``{"resets": url, "storms": url, "healthy": url}``; a line ``dump`` on stdin makes it print what each
server received (the healthy one's request ids, the others' counts) and exit.

A separate process keeps the servers' threads off the test process's GIL, so ten thousand calls
measure the router, not a contended lock.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rel_support import OPENAI, FaultServer

from any_llm.testing import RecordedRequest, Reply


def storm(request: RecordedRequest) -> Reply:
    return OPENAI.error(429, "rate limited", headers={"retry-after": "0.02"})


def main() -> None:
    servers = {
        "resets": FaultServer(lambda r: Reply(fault="reset")),
        "storms": FaultServer(storm),
        "healthy": FaultServer(OPENAI.handler()),
    }
    for server in servers.values():
        server.start()
    print(json.dumps({name: OPENAI.base(server) for name, server in servers.items()}), flush=True)
    for line in sys.stdin:
        if line.strip() == "dump":
            break
    report = {
        "healthy": [OPENAI.rid_of(r) for r in servers["healthy"].requests],
        "resets": len(servers["resets"].requests),
        "storms": len(servers["storms"].requests),
    }
    print(json.dumps(report), flush=True)
    for server in servers.values():
        server.stop()


if __name__ == "__main__":
    main()
