"""copilot-gateway's benchmark: the gateway against the floor and a direct call, in one run.

A raw asyncio stub upstream (`stub`, never the bottleneck) answers every request. wrk drives
(`wrk`), in the same run and interleaved over repeated rounds (medians reported): `direct`
(wrk straight at the stub), `floor` (the smallest connexion app proxying through the same
upstream client, `floor`), the gateway (`copilot-gateway serve`, everything on) and the
gateway with `--workers 2`. Then: the Responses and Messages surfaces (native and
translated), what each feature costs (`variants`), body sizes, embeddings, tails at a fixed
arrival rate (`openloop`), a py-spy profile by layer (`pyspy`), and many concurrent streams
through one gateway process (`streams`).

The parts: `servers` and `fleet` start and stop the processes; `loads` and `wrk` make the
load; `sections/` measure, each returning a typed dataclass of `figures`; `render/` writes
markdown from those figures only, and `store` saves them as JSON, so a saved run renders
again without wrk. `ab/` runs the working tree against another revision in one run. Every
name taken from inside the gateway is in `internals`.

    scripts/bench [--quick] [--output benchmarks/results.md]
    scripts/bench --render benchmarks/results.json
    scripts/bench --ab dc4492f --quick
"""
