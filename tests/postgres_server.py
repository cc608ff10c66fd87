"""A real PostgreSQL for tests: a cluster of its own (initdb in a temporary directory) on a
free loopback port, stopped and removed after; stoppable and restartable midway, to test
the database going away and coming back.

Debian's `postgresql` package (scripts/test installs it) keeps its binaries in
/usr/lib/postgresql/<version>/bin, off the PATH; either place is searched. PostgreSQL
refuses to run as root: as root, the cluster runs as the package's `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from commands import free_port

USER = "gateway"  # the cluster's superuser, trusted on loopback: a test cluster only


def postgres_binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed (scripts/test installs postgresql)")
    return found


class PostgresServer:
    def __init__(self) -> None:
        self.initdb = postgres_binary("initdb")
        self.pg_ctl = postgres_binary("pg_ctl")
        # Not under pytest's tmp_path: its folders are root's alone, the server's user
        # must reach this one.
        self.directory = Path(tempfile.mkdtemp(prefix="gateway-postgres-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.run_as = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else None
        if self.run_as is not None:
            os.chown(self.directory, self.run_as, -1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *arguments: str) -> None:
        subprocess.run(
            arguments,
            user=self.run_as,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.directory,
        )

    def init(self) -> None:
        self._run(
            self.initdb,
            "--pgdata", str(self.data),
            "--username", USER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-sync",  # a test cluster: nothing it holds must survive a crash
        )  # fmt: skip

    def start(self) -> None:
        """Started, and accepting connections (pg_ctl waits for it)."""
        options = f"-p {self.port} -h 127.0.0.1 -k {self.directory} -F"
        self._run(
            self.pg_ctl, "start", "--wait", "--pgdata", str(self.data),
            "--log", str(self.directory / "server.log"), "--options", options,
        )  # fmt: skip

    def stop(self) -> None:
        """Stopped, every connection closed (pg_ctl waits for it)."""
        self._run(self.pg_ctl, "stop", "--wait", "--mode", "fast", "--pgdata", str(self.data))

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def new_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()
