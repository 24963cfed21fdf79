"""Streaming HTTP download that survives flaky networks.

`HttpBodyStream` is a read-only binary stream over a URL's body. Reading it never holds more than
one buffer in memory. Connection resets, timeouts, 5xx/429 answers and bodies that end before
Content-Length are retried with exponential backoff; after a failure mid-body the download resumes
with `Range: bytes=N-` when the server answers 206, else it starts again from byte 0 and skips the
N bytes already delivered. The server's ETag/Last-Modified must stay the same across attempts, and
the byte count must equal Content-Length.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
from dataclasses import dataclass

import requests
import urllib3

from spark_jobs import __version__
from spark_jobs.errors import UserError
from spark_jobs.ingest.progress import CountedStream, Progress

log = logging.getLogger("spark_jobs.ingest")

TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
# What a dropped or stalled connection raises while the body is being read.
READ_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
BUFFER_SIZE = 1 << 20


class DownloadError(UserError):
    """The download cannot succeed (404, HTML page, source changed, retries exhausted)."""


class TransientError(Exception):
    """A failure worth retrying after a pause."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # consecutive failed attempts before giving up
    backoff_s: float = 2.0  # first pause; doubles after each consecutive failure
    max_backoff_s: float = 60.0
    timeout_s: float = 60.0  # connect and read timeout of one request

    def pause(self, failures: int) -> float:
        return min(self.backoff_s * 2 ** (failures - 1), self.max_backoff_s)


class HttpBodyStream(CountedStream):
    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
        valid_months: tuple[str, ...] = (),
    ):
        super().__init__(progress)  # position: bytes delivered to the reader
        self.url = url
        self.retry = retry or RetryPolicy()
        self.valid_months = valid_months
        self.total: int | None = None  # from Content-Length / Content-Range
        self.resumed = 0  # times a Range request continued the body
        self.restarted = 0  # times the server ignored Range and the body was read again from byte 0
        self.validator: tuple[str | None, str | None] | None = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"spark-jobs-ingest/{__version__}"
        self._response: requests.Response | None = None
        self._with_retries(lambda: self._open_at(0))

    def readinto(self, buffer) -> int:
        return self._with_retries(lambda: self._read_into(buffer))

    def close(self) -> None:
        self._drop_response()
        self._session.close()
        super().close()

    # one attempt each -------------------------------------------------------------------------

    def _read_into(self, buffer) -> int:
        if self._response is None:
            self._open_at(self.position)
        try:
            data = self._response.raw.read(len(buffer), decode_content=False)
        except READ_ERRORS as error:
            self._drop_response()
            raise TransientError(
                f"connection lost after {self.position:,} bytes ({type(error).__name__})"
            ) from error
        if not data:
            if self.total is not None and self.position < self.total:
                self._drop_response()
                raise TransientError(f"body ended after {self.position:,} of {self.total:,} bytes")
            if self.total is None:
                log.warning(
                    "%s: no Content-Length; %s bytes received, size not verifiable", self.url, self.position
                )
            return 0
        return self._deliver(buffer, data)

    def _open_at(self, offset: int) -> None:
        headers = {"Accept-Encoding": "identity"}  # the bytes of the file itself, never re-encoded
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = self._session.get(self.url, headers=headers, stream=True, timeout=self.retry.timeout_s)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientError(f"{type(error).__name__} connecting to {self.url}") from error
        try:
            self._check_status(response)
            self._check_same_file(response)
            if response.status_code == 206:
                self._accept_partial(response, offset)
            else:
                self._set_total(_int_or_none(response.headers.get("Content-Length")))
                if offset:
                    self.restarted += 1
                    log.warning("%s: server ignored Range; reading again from byte 0", self.url)
                    _skip(response, offset)
        except BaseException:
            response.close()
            raise
        self._response = response

    def _check_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status in TRANSIENT_STATUS:
            raise TransientError(f"HTTP {status} {response.reason} from {self.url}")
        if status == 404:
            months = f"; valid months: {', '.join(self.valid_months)}" if self.valid_months else ""
            raise DownloadError(f"{self.url}: 404 Not Found{months}")
        if status not in (200, 206):
            raise DownloadError(f"{self.url}: HTTP {status} {response.reason}")
        content_type = response.headers.get("Content-Type", "")
        if "text/html" in content_type.lower():
            raise DownloadError(
                f"{self.url}: the server answered {status} with an HTML page ({content_type}), not a CSV file"
            )

    def _check_same_file(self, response: requests.Response) -> None:
        validator = (response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if self.validator is None:
            self.validator = validator
        elif validator != self.validator:
            raise DownloadError(f"{self.url}: the file changed on the server during the download; run again")

    def _accept_partial(self, response: requests.Response, offset: int) -> None:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("Content-Range", "").strip())
        if not match or int(match.group(1)) != offset:
            raise DownloadError(
                f"{self.url}: asked for bytes from {offset:,}, got Content-Range "
                f"{response.headers.get('Content-Range')!r}"
            )
        self._set_total(None if match.group(3) == "*" else int(match.group(3)))
        self.resumed += 1
        log.info("%s: resumed at byte %s", self.url, f"{offset:,}")

    def _set_total(self, total: int | None) -> None:
        if total is None:
            return
        if self.total is not None and total != self.total:
            raise DownloadError(
                f"{self.url}: size changed from {self.total:,} to {total:,} bytes during the download"
            )
        self.total = total
        if self.progress is not None:
            self.progress.set_total(total)

    def _with_retries(self, attempt):
        failures = 0
        while True:
            try:
                return attempt()
            except TransientError as error:
                failures += 1
                if failures >= self.retry.attempts:
                    raise DownloadError(
                        f"{self.url}: giving up after {failures} failed attempts: {error}"
                    ) from error
                pause = self.retry.pause(failures)
                log.warning(
                    "%s; retrying in %.1f s (failure %d of %d)", error, pause, failures, self.retry.attempts
                )
                time.sleep(pause)

    def _drop_response(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None


def _skip(response: requests.Response, count: int) -> None:
    """Read and discard the first `count` bytes of a body (already delivered by an earlier attempt)."""
    remaining = count
    try:
        while remaining:
            data = response.raw.read(min(remaining, BUFFER_SIZE), decode_content=False)
            if not data:
                raise TransientError(
                    f"body ended after {count - remaining:,} bytes while skipping to {count:,}"
                )
            remaining -= len(data)
    except READ_ERRORS as error:
        raise TransientError(
            f"connection lost while skipping to byte {count:,} ({type(error).__name__})"
        ) from error


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None
