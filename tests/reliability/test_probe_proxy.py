"""The client and the staff/doctor probe through a configured HTTPS proxy (a real CONNECT tunnel on
127.0.0.1 to the emulator over TLS): the transport's deadline-watched connections work through the
proxy, the probe goes the client's way (configured proxy and CA, not the environment's)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from kiosk.core.faceid.client import FaceIdClient
from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
from kiosk.core.faceid.probe import probe_service
from kiosk.core.faceid.settings import ClientSettings
from kiosk.core.verification import Outcome, Verifier
from kiosk.emulator.registry import Registry
from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer


class ConnectProxy:
    """A minimal CONNECT proxy; records the CONNECT targets and whether credentials came."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.targets: list[str] = []
        self.authorized: list[bool] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n")
            target = lines[0].split()[1].decode()
            self.targets.append(target)
            self.authorized.append(any(x.lower().startswith(b"proxy-authorization:") for x in lines))
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=10) as up:
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

                def pump(src: socket.socket, dst: socket.socket) -> None:
                    with contextlib.suppress(OSError):
                        while data := src.recv(65536):
                            dst.sendall(data)
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)

                t = threading.Thread(target=pump, args=(up, conn), daemon=True)
                t.start()
                pump(conn, up)
                t.join(10)


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(registry=Registry.builtin(), tls=True, host="127.0.0.1") as emu:
        yield emu


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    p = ConnectProxy()
    yield p
    p.close()


def _settings(emu: EmulatorServer, proxy_url: str) -> ClientSettings:
    return ClientSettings(endpoint=emu.url, ca_bundle=str(emu.ca_file), https_proxy=proxy_url,
                          connect_timeout=2.0, read_timeout=10.0, max_attempts=1)


def test_verification_through_the_configured_proxy(tls_emulator: EmulatorServer, proxy: ConnectProxy,
                                                   uploads: dict[str, bytes]) -> None:
    client = FaceIdClient(_settings(tls_emulator, f"http://kiosk:pw@127.0.0.1:{proxy.port}"),
                          StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)))
    try:
        verdict = Verifier(client).verify(uploads["card_a"], uploads["face_a"])
    finally:
        client.close()
    assert verdict.outcome is Outcome.PASS
    assert proxy.targets and all(t.endswith(f":{tls_emulator.port}") for t in proxy.targets)
    assert all(proxy.authorized)


def test_the_probe_goes_through_the_configured_proxy_and_hides_its_password(
    tls_emulator: EmulatorServer, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # the environment must not matter
    result = probe_service(_settings(tls_emulator, f"http://kiosk:s3cret@127.0.0.1:{proxy.port}"))
    assert result.ok and result.http_status == 200 and result.clock_offset_s is not None
    assert proxy.targets == [f"127.0.0.1:{tls_emulator.port}"]
    proxy.close()  # now the configured proxy is gone: the probe says so, without the password
    failed = probe_service(_settings(tls_emulator, f"http://kiosk:s3cret@127.0.0.1:{proxy.port}"))
    assert not failed.ok and "s3cret" not in failed.detail and "kiosk:" not in failed.detail
