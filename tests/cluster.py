"""Several Rasa replicas behind nginx, on PostgreSQL + Redis, for the cluster tests and the load
benchmark: one action server and one desk shared by every replica, as deploy/ describes.

Replica 0 runs beside the action server and the desk; the desk wakes conversations through
replica `desk_rasa` (any of them), as a load balancer in front of the replicas would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.stack import Nginx, Stack

REDIS_URL = "redis://127.0.0.1:6379/2"
# One TensorFlow thread of each kind per replica: replicas on one machine do not fight over cores.
REPLICA_ENV = {
    "REDIS_URL": REDIS_URL,
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


@dataclass
class Cluster:
    workdir: Path
    replicas: int
    port_base: int
    extra_env: dict[str, str] = field(default_factory=dict)
    rates: dict[str, int] | None = None
    desk_rasa: int | None = None  # the replica the desk talks to (None: all, through nginx)
    stacks: list[Stack] = field(default_factory=list)
    nginx: Nginx | None = None

    @property
    def public_url(self) -> str:
        return self.nginx.public_url

    def replica(self, index: int) -> Stack:
        return self.stacks[index]

    def start(self) -> Cluster:
        env = {**REPLICA_ENV, **self.extra_env}
        first = Stack(
            name="replica-0", workdir=self.workdir / "replica-0", rasa_port=self.port_base + 5,
            actions_port=self.port_base + 55, backend="postgres", extra_env=env,
            desk_port=self.port_base + 75,
        ).start()
        self.stacks = [first]
        for index in range(1, self.replicas):
            replica = Stack(
                name=f"replica-{index}", workdir=self.workdir / f"replica-{index}",
                rasa_port=self.port_base + 5 + index, actions_port=first.actions_port,
                backend="postgres", extra_env=env,
            )
            replica.start_rasa()
            self.stacks.append(replica)
        self.nginx = Nginx(
            workdir=self.workdir / "nginx", public_port=self.port_base + 80,
            desk_port=self.port_base + 81, rasa=[f"127.0.0.1:{s.rasa_port}" for s in self.stacks],
            desk=[f"127.0.0.1:{first.desk_port}"], internal_port=self.port_base + 82,
            **({"rates": self.rates} if self.rates else {}),
        )
        self.nginx.workdir.mkdir(parents=True, exist_ok=True)
        self.nginx.start()
        rasa_url = (self.stacks[self.desk_rasa].rasa_url if self.desk_rasa is not None
                    else f"http://127.0.0.1:{self.port_base + 82}")
        first.start_desk(RASA_URL=rasa_url, **env)
        return self

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for stack in reversed(self.stacks):
            stack.stop()
