"""An independent WebSocket peer for Minch's tests: Python's `websockets`.

Prints the port it listens on (127.0.0.1, chosen by the OS), then serves:
  /echo     echoes every message
  /hello    sends "hello" and b"" (binary), then echoes
  /ping     sends a ping with payload b"123", reports the pong as text "pong:123"
  /close    closes with 4001 "go away"
  /headers  sends the request's x-hello header as a text message, then echoes
  /reject   answers the upgrade with 401
Works with Debian 12's websockets 10.4 and with websockets >= 14.
Stops by itself when its stdin closes (the test process ended).
"""
import asyncio
import http
import sys

import logging
import websockets

logging.basicConfig(level=logging.ERROR)

VERSION = tuple(int(p) for p in websockets.__version__.split(".")[:2])


async def session(ws, path, headers):
    if path == "/hello":
        await ws.send("hello")
        await ws.send(b"")
    elif path == "/ping":
        waiter = await ws.ping(b"123")
        await waiter
        await ws.send("pong:123")
    elif path == "/close":
        await ws.close(4001, "go away")
        return
    elif path == "/headers":
        await ws.send(headers.get("x-hello", ""))
    async for message in ws:
        await ws.send(message)


async def main():
    if VERSION >= (14, 0):
        from websockets.asyncio.server import serve

        def process_request(connection, request):
            if request.path == "/reject":
                return connection.respond(401, "no\n")
            return None

        async def handler(ws):
            await session(ws, ws.request.path, ws.request.headers)

        server = await serve(handler, "127.0.0.1", 0, process_request=process_request)
    else:
        async def process_request(path, request_headers):
            if path == "/reject":
                return (http.HTTPStatus.UNAUTHORIZED, [("Content-Type", "text/plain")], b"no\n")
            return None

        async def handler(ws, path):
            await session(ws, path, ws.request_headers)

        server = await websockets.serve(handler, "127.0.0.1", 0, process_request=process_request)
    port = next(iter(server.sockets)).getsockname()[1]
    print(port, flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
