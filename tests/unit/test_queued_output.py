"""``QueuedOutput``: dbt's writes never wait for the pipeline's reader, and nothing is lost."""

from __future__ import annotations

import io
import os
import threading

import pytest

from pipelines.core.queued_output import QueuedOutput


def test_everything_written_reaches_the_target_in_order_by_close() -> None:
    target = io.StringIO()
    output = QueuedOutput(target)
    lines = [f'{{"line": {number}}}\n' for number in range(2000)]
    for line in lines:
        assert output.write(line) == len(line)
    output.close()
    assert target.getvalue() == "".join(lines)
    assert output.closed


def test_a_reader_that_stops_reading_does_not_stop_the_writer() -> None:
    """A pipe nobody reads fills at 64 KiB: a plain write would block there. Through the queue
    the writer goes on; once the reader reads, everything arrives in order."""
    read_end, write_end = os.pipe()
    pipe = os.fdopen(write_end, "w", encoding="utf-8")
    output = QueuedOutput(pipe)
    text = "x" * 1023 + "\n"
    finished = threading.Event()

    def write_a_megabyte() -> None:
        for _ in range(1024):  # sixteen times what the pipe holds
            output.write(text)
        finished.set()

    writer = threading.Thread(target=write_a_megabyte)
    writer.start()
    assert finished.wait(timeout=30), "the writer waited for the reader"
    received = bytearray()
    closer = threading.Thread(target=output.close)
    closer.start()
    while len(received) < 1024 * len(text):
        received += os.read(read_end, 1 << 16)
    closer.join(timeout=30)
    writer.join()
    pipe.close()
    os.close(read_end)
    assert bytes(received) == (text * 1024).encode()


def test_a_closed_reader_drops_what_follows_without_failing_the_writer() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone: writing to the pipe raises BrokenPipeError
    pipe = os.fdopen(write_end, "w", encoding="utf-8")
    output = QueuedOutput(pipe)
    for _ in range(100):
        output.write("line\n")
    output.close()  # returns: nothing waits for a reader that is gone
    assert output.closed
    with pytest.raises(OSError):
        pipe.close()  # what was left in its buffer cannot be written either


def test_a_write_after_close_is_refused() -> None:
    output = QueuedOutput(io.StringIO())
    output.close()
    with pytest.raises(ValueError, match="closed"):
        output.write("late\n")


def test_bytes_are_refused_as_a_text_stream_refuses_them() -> None:
    """click probes whether a stream takes bytes by writing ``b""`` to it; a stream that takes
    them gets bytes from ``dbt --help`` that the pipe's text layer cannot write."""
    target = io.StringIO()
    output = QueuedOutput(target)
    with pytest.raises(TypeError, match="must be str, not bytes"):
        output.write(b"")  # type: ignore[arg-type]
    output.write("text\n")
    output.close()
    assert target.getvalue() == "text\n"


def test_it_is_a_writable_stream_that_is_no_terminal() -> None:
    output = QueuedOutput(io.StringIO())
    assert output.writable() and not output.isatty()
    output.flush()  # a no-op, never an error
    output.close()
