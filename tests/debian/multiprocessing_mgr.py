# multiprocessing: a Manager (a server process reached over AF_UNIX), a
# Queue and a Pool of forked workers.
import multiprocessing as mp
import os


def work(q):
    q.put(os.getpid() > 0)


if __name__ == "__main__":
    with mp.Manager() as m:
        d = m.dict()
        d["a"] = 1
        lst = m.list(range(3))
        print("manager", dict(d), list(lst))
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=work, args=(q,))
    p.start()
    print("queue", q.get())
    p.join()
    with ctx.Pool(2) as pool:
        print("pool", pool.map(abs, [-1, -2, 3]))
