# asyncio over a Unix socket: a server and a client in one event loop.
import asyncio
import os
import tempfile

async def handle(reader, writer):
    data = await reader.readline()
    writer.write(b"echo: " + data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()

async def main():
    path = os.path.join(tempfile.mkdtemp(), "asyncio.sock")
    server = await asyncio.start_unix_server(handle, path)
    async with server:
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(b"hello over unix\n")
        await writer.drain()
        print((await reader.readline()).decode().strip())
        writer.close()
        await writer.wait_closed()
    print("socket file gone:", not os.path.exists(path) or "kept")

asyncio.run(main())
