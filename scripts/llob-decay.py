#!/usr/bin/env python3
"""How much of a programme's peak impact a latent order book without information keeps.

The locally linear order book (LLOB) with infinite memory: the density of latent bids minus
asks, phi(x, t), diffuses (coefficient D) from phi = -L*x, and a sell programme at a constant
rate m removes bids at the price, the zero of phi, for a time T. Since diffusion is linear,

    phi(x, t) = -L*x - m * integral_0^min(t,T) G(x - p(s), t - s) ds,

with G the heat kernel, and the price p(t) solves phi(p(t), t) = 0. This script solves that
equation step by step in time (units L = D = T = 1, so the programme's speed is m/J, J = D*L
being the book's own flow into the price). The step's own interval is integrated exactly with
the price moving linearly across it; the others by the midpoint rule.

It prints, per speed, the peak beside the static book's sqrt(2mT/L), and the share of the
peak left 1/12, 1, 5 and 11.5 durations after the programme ends (for a one-hour programme in
a 6.5-hour session: +5 min, +1 h, the close after a 10:00-11:00 window, the next close),
beside sqrt(z) - sqrt(z - 1). A programme slower than the book's flow (m/J <= 1) follows that
curve; a faster one digs a hole wider than the book diffuses over its duration and keeps more.

Needs numpy; about a minute. Doubling the steps (1,000 per duration; 2,000 at m/J = 100 and
4,000 at 300) moves no share by more than 0.01. Used by experiments/markets/spx.md.
"""
import math

import numpy as np


def solve(m, n, tmax=12.5):
    """The price path for speed m/J with n steps per programme duration."""
    h = 1.0 / n
    steps = int(round(tmax / h))
    p = np.zeros(steps + 1)

    def residual(pk, k):
        t = k * h
        executing = k <= n
        js = np.arange(0, min(k, n) - (1 if executing else 0))
        tau = t - (js + 0.5) * h
        d = pk - 0.5 * (p[js] + p[js + 1])
        total = np.sum(np.exp(-d * d / (4 * tau)) / np.sqrt(4 * np.pi * tau)) * h
        if executing:
            # The last interval, where the kernel is singular: exact for a linear price path.
            a = ((pk - p[k - 1]) / h) ** 2 / 4
            total += math.sqrt(h / math.pi) if a < 1e-14 else math.erf(math.sqrt(a * h)) / (2 * math.sqrt(a))
        return pk + m * total

    for k in range(1, steps + 1):
        # Secant iterations from the last price, stepped on by the last move.
        x0 = p[k - 1]
        x1 = p[k - 1] + (p[k - 1] - p[k - 2] if k > 1 else -1e-3) - 1e-6
        f0, f1 = residual(x0, k), residual(x1, k)
        for _ in range(60):
            if f1 == f0 or abs(x1 - x0) < 1e-12:
                break
            x0, f0, x1 = x1, f1, x1 - f1 * (x1 - x0) / (f1 - f0)
            f1 = residual(x1, k)
        p[k] = x1
    return p


def main():
    print("m/J     peak   static   share left at +1/12, +1, +5, +11.5 durations")
    for m, n in [(0.1, 1000), (1, 1000), (3, 1000), (10, 1000), (30, 1000), (100, 2000), (300, 4000)]:
        p = solve(m, n)
        marks = [int(round(n * 13 / 12)), 2 * n, 6 * n, len(p) - 1]
        shares = "  ".join(f"{p[k] / p[n]:.3f}" for k in marks)
        print(f"{m:5g} {-p[n]:8.3f} {math.sqrt(2 * m):8.3f}   {shares}")
    ref = [math.sqrt(z) - math.sqrt(z - 1) for z in [13 / 12, 2, 6, 12.5]]
    print("sqrt(z) - sqrt(z - 1):          " + "  ".join(f"{s:.3f}" for s in ref))


if __name__ == "__main__":
    main()
