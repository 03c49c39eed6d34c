# selectors and asyncio over an eventfd and a pipe.
import asyncio
import os
import selectors

e = os.eventfd(0)
s = selectors.DefaultSelector()
s.register(e, selectors.EVENT_READ, "eventfd")
print(type(s).__name__, "idle:", len(s.select(0)))
os.eventfd_write(e, 3)
print("ready:", [k.data for k, _ in s.select(1)], "value:", os.eventfd_read(e))
r, w = os.pipe()
s.register(r, selectors.EVENT_READ, "pipe")
os.write(w, b"x")
print("ready:", [k.data for k, _ in s.select(1)])
os.read(r, 1)
s.close()


async def main():
    loop = asyncio.get_running_loop()
    got = loop.create_future()
    loop.add_reader(e, lambda: got.set_result(os.eventfd_read(e)))
    loop.call_soon(os.eventfd_write, e, 5)
    print("asyncio eventfd:", await asyncio.wait_for(got, 5))
    loop.remove_reader(e)
    got = loop.create_future()
    loop.add_reader(r, lambda: got.set_result(os.read(r, 10)))
    loop.call_soon(os.write, w, b"pipe!")
    print("asyncio pipe:", await asyncio.wait_for(got, 5))
    loop.remove_reader(r)

asyncio.run(main())
