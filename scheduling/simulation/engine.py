"""The event loop of one replication: contacts, agents, queues, routing.

Live queues (voice, chat) are first come, first served within a queue; a
caller whose patience runs out leaves unanswered (found lazily when the queue
is next served: the loss time is known at arrival, so this is exact). A chat
agent holds up to `concurrency` chats of its chat queues at once and takes no
other work while it holds any; a voice or deferred contact takes the whole
agent. An arriving contact goes to the agent of its queue idle longest (chat:
first to an agent already chatting with a free slot). An agent that becomes
free takes, among its live queues, the contact waiting longest (or the first
queue in priority order with a contact waiting), and deferred work (email,
ticket: no patience, a backlog carried across intervals) only when none of its
live queues has anyone waiting. Agents start contacts only inside their
availability windows and finish any contact in hand past a window's end.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heapify, heappop, heappush

INF = float("inf")
_OFF, _FINISH, _ON = 0, 1, 2  # event order at equal times


@dataclass(frozen=True)
class Routing:
    """Who may serve what, and in which order.

    Attributes:
        live: per agent, its live queue indices (in priority order for "priority").
        deferred: per agent, its deferred queue indices.
        concurrency: per queue, contacts one agent holds at once (>1: chat slots).
        by_priority: pick the first live queue with someone waiting (else: the one
            whose first contact has waited longest).
    """

    live: Sequence[tuple[int, ...]]
    deferred: Sequence[tuple[int, ...]]
    concurrency: Sequence[int]
    by_priority: bool = False


def run_replication(
    time: list[float],
    queue: list[int],
    handle: list[float],
    deadline: list[float],
    windows: tuple[list[int], list[float], list[float]],
    routing: Routing,
) -> tuple[list[float], list[int]]:
    """Simulate one replication.

    Args:
        time, queue, handle, deadline: per contact in arrival order: arrival
            (seconds), queue index, handle time (seconds), arrival + patience
            (seconds; inf for no patience).
        windows: (agent, start, end) availability windows, merged per agent.
        routing: skills, concurrency and routing rule.

    Returns:
        (start, agent) per contact: when its handling started (inf: never) and by
        which agent (-1: none).

    Note: longer than the house's 60 lines on purpose: one function with closures,
    so the event loop (millions of events a run) reads local names only.
    """
    n = len(time)
    start, who = [INF] * n, [-1] * n
    conc = list(routing.concurrency)
    n_queues, n_agents = len(conc), len(routing.live)
    live, deferred = routing.live, routing.deferred
    chats = [tuple(q for q in qs if conc[q] > 1) for qs in live]
    skills = [live[a] + deferred[a] for a in range(n_agents)]
    waiting = [deque() for _ in range(n_queues)]
    idle = [{} for _ in range(n_queues)]  # accepting agents with no work, longest idle first
    room = [{} for _ in range(n_queues)]  # accepting agents holding some chats, room for more
    load = [0] * n_agents  # chats held; -1: a voice or deferred contact in hand
    accepting = [False] * n_agents
    heap = [(s, _ON, a, -1) for a, s in zip(windows[0], windows[1], strict=True)]
    heap += [(e, _OFF, a, -1) for a, e in zip(windows[0], windows[2], strict=True)]
    heapify(heap)
    by_priority = routing.by_priority

    def pick(queues: Sequence[int], now: float) -> int:
        best, best_time = -1, INF
        for q in queues:
            line = waiting[q]
            while line and deadline[line[0]] <= now:
                line.popleft()  # hung up while waiting
            if line:
                if by_priority:
                    return q
                if time[line[0]] < best_time:
                    best, best_time = q, time[line[0]]
        return best

    def leave_pools(a: int) -> None:
        for q in skills[a]:
            idle[q].pop(a, None)
            room[q].pop(a, None)

    def join_pools(a: int) -> None:
        k = load[a]
        if k == 0:
            for q in skills[a]:
                idle[q][a] = None
        elif k > 0:
            for q in chats[a]:
                if k < conc[q]:
                    room[q][a] = None

    def serve_next(a: int, now: float) -> None:
        while True:
            k = load[a]
            if k == 0:
                q = pick(live[a], now)
                if q < 0:
                    q = pick(deferred[a], now)
            else:
                q = pick([c for c in chats[a] if k < conc[c]], now)
            if q < 0:
                break
            i = waiting[q].popleft()
            start[i], who[i] = now, a
            heappush(heap, (now + handle[i], _FINISH, a, i))
            if conc[q] > 1:
                load[a] = k + 1
            else:
                load[a] = -1
                break
        join_pools(a)

    i = 0
    while True:
        if heap and (i >= n or heap[0][0] <= time[i]):
            now, kind, a, _ = heappop(heap)
            if kind == _FINISH:
                leave_pools(a)
                load[a] = 0 if load[a] < 0 else load[a] - 1
                if accepting[a]:
                    serve_next(a, now)
            elif kind == _ON:
                accepting[a] = True
                if load[a] >= 0:  # else the contact in hand's finish serves next
                    serve_next(a, now)
            else:
                accepting[a] = False
                leave_pools(a)
        elif i < n:
            now, q = time[i], queue[i]
            pool = room[q] if room[q] else idle[q]
            if pool:
                a = next(iter(pool))
                leave_pools(a)
                start[i], who[i] = now, a
                heappush(heap, (now + handle[i], _FINISH, a, i))
                if conc[q] > 1:
                    load[a] += 1
                else:
                    load[a] = -1
                join_pools(a)
            else:
                waiting[q].append(i)
            i += 1
        else:
            break
    return start, who
