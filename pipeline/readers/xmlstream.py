"""Streaming the records of an XML set file with flat memory, and recovering after a malformed one.

`stream_records` feeds the file to an `lxml.etree.XMLPullParser` in chunks, yields each record
element once complete and then clears it with the siblings before it. When the parser fails
inside a record, that record is reported as a `MalformedRecord` and a fresh parser resumes at
the next record start tag. `read_xml_records` is the file loop every XML reader shares; it
never raises (`guarded` closes a broken or empty file with one error Article).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from pipeline.article import Article
from pipeline.readers.xmlfiles import (
    CHUNK_SIZE,
    XMLFileError,
    file_sha256,
    iter_utf8_chunks,
)
from pipeline.readers.xmlsafe import (
    MAX_PROLOG_BYTES,
    PARSER_OPTIONS,
    check_prolog,
    root_position,
)
from pipeline.readers.xmltext import (
    error_article,
    local_name,
    read_error,
    short_message,
)

# Recovery after a malformed record: the byte stream is kept from the start of the oldest
# unfinished record, so a fresh parser can take over at the next record's start tag.
RETAIN_LIMIT = 16 << 20  # beyond this the file is read again from the start to resume
BAD_RECORD_HEAD = 64 << 10  # bytes of a rejected record kept for its ids (PMID)
_NAME_OVERLAP = 64  # record start tags are shorter than this, so none is missed at a chunk seam


@dataclass
class MalformedRecord:
    """Stands in the record stream for a record the parser rejected; reading went on after it.

    `message` says what was wrong and where (line numbers of the decompressed file), `line`
    is the line the rejected stretch starts on, `head` its first bytes (for ids)."""

    message: str
    line: int | None
    head: bytes = b""


class _NestedRecord(Exception):
    """A record element ended inside another one: the outer record lacks its end tag."""

    def __init__(self, line: int | None):
        super().__init__("nested record")
        self.line = line


def stream_records(
    path: Path,
    is_record: Callable[[etree._Element], bool],
    tags: Iterable[str] | None = None,
    record_starts: Callable[[str], Iterable[str]] | None = None,
) -> Iterator[etree._Element | MalformedRecord]:
    """Yield complete record elements of an XML file, clearing each after use.

    `is_record(element)` decides, at each element's end event (restricted to `tags` when
    given), whether it is a record. The yielded element is valid only until the generator
    resumes. Raises `XMLFileError` after the last good record on a file-level failure.

    `record_starts(root_local_name)` names the record elements of a set file (e.g.
    PubmedArticle under PubmedArticleSet; nothing for a one-record file). With it, a record
    the parser rejects is yielded as a `MalformedRecord` and a fresh parser (same prolog and
    root start tag, so the same safety checks and namespaces) takes over at the next record
    start tag; records after it keep their positions. A failure with no record start tag
    after it (a cut file, damage after the last record) still ends the file with
    `XMLFileError`.
    """
    yield from _RecordStream(Path(path), is_record, tags, record_starts).records()


class _ByteWindow:
    """The latest bytes of a stream, kept as the chunks they came in: covers [start, end)."""

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.start = 0
        self.size = 0

    @property
    def end(self) -> int:
        return self.start + self.size

    def append(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.size += len(chunk)

    def reset(self, start: int) -> None:
        self.chunks.clear()
        self.start, self.size = start, 0

    def drop_before(self, offset: int) -> None:
        """Forget whole chunks that end at or before `offset`."""
        while self.chunks and self.start + len(self.chunks[0]) <= offset:
            chunk = self.chunks.popleft()
            self.start += len(chunk)
            self.size -= len(chunk)

    def read(self, start: int, end: int) -> bytes:
        """The kept bytes of [start, end) (what was dropped is left out)."""
        out = []
        pos = self.start
        for chunk in self.chunks:
            chunk_end = pos + len(chunk)
            if chunk_end > start and pos < end:
                out.append(chunk[max(0, start - pos) : end - pos])
            if chunk_end >= end:
                break
            pos = chunk_end
        return b"".join(out)


class _RecordStream:
    """One pass over a file's decompressed (UTF-8) bytes with restartable parsing.

    Bytes come from `live` (the file, read once in order) and are appended to `retained`,
    which covers [retained.start, live_pos) and is trimmed from the front to the start of the
    oldest record not yet completed. Record start tags are found by a byte scan of every new
    chunk (`starts`: offset and line of each record start not yet completed)."""

    def __init__(self, path, is_record, tags, record_starts):
        self.path = path
        self.is_record = is_record
        self.tags = list(tags) if tags else None
        self.record_starts = record_starts
        self.live = iter_utf8_chunks(path)
        self.live_pos = 0
        self.retained = _ByteWindow()
        self.fed_end = 0
        self.names: frozenset[str] = frozenset()
        self.start_tags: list[bytes] = []  # b"<PubmedArticle", ...: empty when there is no recovery
        self.scanned_end = 0
        self.newlines = 0  # "\n" bytes before scanned_end
        self.tail = b""
        self.starts: deque[tuple[int, int]] = deque()
        self.prefix = b""  # prolog + root start tag, replayed before each restart
        self.root_close = b""
        self.prefix_ok: bool | None = None
        self.line_shift = 0  # line in the file = line the current parser reports + line_shift

    # ---------------------------------------------------------------- bytes

    def _read_live(self) -> bytes | None:
        chunk = next(self.live, None)
        if chunk is None:
            return None
        start = self.live_pos
        self.live_pos += len(chunk)
        self.retained.append(chunk)
        if self.start_tags and self.live_pos > self.scanned_end:
            self._scan(chunk[max(0, self.scanned_end - start):], max(start, self.scanned_end))
        if self.retained.size > RETAIN_LIMIT:  # one record this long: forget it, re-read if needed
            self.retained.reset(self.live_pos)
        return chunk

    def _scan(self, data: bytes, at: int) -> None:
        """Record the start tags of records in new bytes `data` (at absolute offset `at`)."""
        window = self.tail + data
        base = at - len(self.tail)
        found = []
        for tag in self.start_tags:  # bytes.find is much faster than a regex over the whole file
            pos = window.find(tag)
            while pos >= 0:
                after = pos + len(tag)
                if after < len(window) and window[after] in _TAG_NAME_END:
                    found.append(pos)
                pos = window.find(tag, after)
        last = self.starts[-1][0] if self.starts else -1
        line = self.newlines + 1 - self.tail.count(b"\n")  # the line the window starts on
        previous = 0
        for pos in sorted(found):
            line += window.count(b"\n", previous, pos)
            previous = pos
            if base + pos > last:
                self.starts.append((base + pos, line))
                last = base + pos
        self.newlines += data.count(b"\n")
        self.scanned_end = at + len(data)
        self.tail = window[-_NAME_OVERLAP:]

    def _chunks_from(self, pos: int) -> Iterator[bytes]:
        """The bytes from absolute offset `pos` on, in chunks (retained bytes, then the file)."""
        while True:
            if pos < self.retained.start:
                self._reopen_at(pos)
            if pos < self.retained.end:
                piece = self.retained.read(pos, pos + CHUNK_SIZE)
            else:
                piece = self._read_live()
                if piece is None:
                    return
            pos += len(piece)
            self.fed_end = pos
            yield piece

    def _reopen_at(self, pos: int) -> None:
        """Read the file again from its start up to `pos` (the retained bytes were dropped)."""
        self.live = iter_utf8_chunks(self.path)
        self.live_pos = 0
        while self.live_pos <= pos:
            chunk = next(self.live, None)
            if chunk is None:
                raise XMLFileError("ReadError", "the file changed while it was being read")
            start = self.live_pos
            self.live_pos += len(chunk)
            if self.live_pos > pos:
                self.retained.reset(pos)
                self.retained.append(chunk[pos - start :])
                if self.start_tags and self.live_pos > self.scanned_end:
                    self._scan(chunk[max(0, self.scanned_end - start):], max(start, self.scanned_end))

    def _trim(self) -> None:
        keep_from = min(self.starts[0][0] if self.starts else self.live_pos, self.fed_end)
        self.retained.drop_before(keep_from)

    # ---------------------------------------------------------------- prolog

    def _head_chunks(self) -> Iterator[bytes]:
        """The first segment: the prolog is checked before any byte reaches the parser."""
        head = b""
        checked = False
        while True:
            chunk = self._read_live()
            if chunk is None:
                if not checked:
                    check_prolog(head, final=True)
                break
            head += chunk
            checked = checked or check_prolog(head)
            if checked and self._learn_root(head, final=len(head) >= MAX_PROLOG_BYTES):
                break
        if head:
            self.fed_end = len(head)
            yield head
        yield from self._chunks_from(self.fed_end)

    def _learn_root(self, head: bytes, final: bool) -> bool:
        """Prolog + root start tag (replayed before every restart) and the record names.
        False while the root start tag is not complete in `head` (and more may come)."""
        if self.record_starts is None:
            return True
        bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        root = root_position(head[bom:MAX_PROLOG_BYTES + bom])
        match = _START_TAG.match(head, root + bom) if root is not None else None
        if match is None and not final and root is not None and head.find(b">", root + bom) < 0:
            return False  # the root start tag goes on in the next chunk
        if match is None or match.group(0).endswith(b"/>"):
            return True
        name = match.group(1)
        names = frozenset(self.record_starts(local_name(name.decode("utf-8", "replace"))))
        if not names:
            return True
        self.names = names
        self.prefix = head[: match.end()]
        self.root_close = b"</" + name + b">"
        self.start_tags = [b"<" + n.encode("utf-8") for n in sorted(names)]
        self._scan(self.retained.read(self.retained.start, self.live_pos), self.retained.start)
        return True

    def _prefix_parses(self) -> bool:
        if self.prefix_ok is None:
            try:
                etree.fromstring(self.prefix + self.root_close, etree.XMLParser(**PARSER_OPTIONS))
                self.prefix_ok = True
            except etree.XMLSyntaxError:
                self.prefix_ok = False
        return self.prefix_ok

    # ---------------------------------------------------------------- parsing

    def _parser(self) -> etree.XMLPullParser:
        return etree.XMLPullParser(events=("end",), tag=self.tags, **PARSER_OPTIONS)

    def records(self) -> Iterator[etree._Element | MalformedRecord]:
        parser = self._parser()
        chunks = self._head_chunks()
        segment_start = 0
        while True:
            try:
                for chunk in chunks:
                    parser.feed(chunk)
                    yield from self._drain(parser)
                parser.close()
                yield from self._drain(parser)
                return
            except etree.XMLSyntaxError as exc:
                nested = None
                try:
                    yield from self._drain(parser)  # records completed before the error
                except (etree.XMLSyntaxError, _NestedRecord) as inner:
                    nested = inner if isinstance(inner, _NestedRecord) else None
                problem = nested or exc
            except _NestedRecord as exc:
                problem = exc
            message, line = self._describe(problem, self.line_shift)
            resume = self._resume(message, line, segment_start)
            if resume is None:
                raise XMLFileError("MalformedXML", f"malformed XML: {message}") from None
            marker, segment_start, segment_line = resume
            yield marker
            parser = self._parser()
            parser.feed(self.prefix)
            self.line_shift = segment_line - (self.prefix.count(b"\n") + 1)
            chunks = self._chunks_from(segment_start)

    def _drain(self, parser: etree.XMLPullParser) -> Iterator[etree._Element]:
        for _event, element in parser.read_events():
            if self.names and local_name(element.tag) in self.names and not is_top_level(element):
                raise _NestedRecord(element.sourceline)
            if not self.is_record(element):
                continue
            if self.starts and local_name(element.tag) in self.names:
                self._completed((element.sourceline or 0) + self.line_shift)
            yield element
            parent = element.getparent()
            element.clear(keep_tail=False)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        self._trim()

    def _completed(self, start_line: int) -> None:
        """A record that started on `start_line` is complete: forget its start tag (and any
        earlier one that no record matched, such as a start tag quoted in a comment)."""
        while len(self.starts) > 1 and self.starts[0][1] < start_line:
            self.starts.popleft()
        self.starts.popleft()

    def _describe(self, problem: Exception, line_shift: int) -> tuple[str, int | None]:
        """lxml's message and line, with line numbers counted in the whole (decompressed) file."""
        if isinstance(problem, _NestedRecord):
            line = problem.line + line_shift if problem.line else None
            bad_line = self.starts[0][1] if self.starts else None
            where = f" at line {bad_line}" if bad_line else ""
            return (f"the record starting{where} has no end tag before the next record"
                    + (f" (line {line})" if line else "")), bad_line
        raw_line = getattr(problem, "lineno", None) or (problem.position[0] if getattr(problem, "position", None) else None)
        line = raw_line + line_shift if raw_line else None
        message = _syntax_message(problem)
        if line_shift:
            message = _LINE_NUMBER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + line_shift}", message)
        return message, line

    def _resume(self, message: str, line: int | None, segment_start: int) -> tuple[MalformedRecord, int, int] | None:
        """(the marker for the rejected stretch, where to restart, its line), or None when
        parsing cannot go on (no record start after the damage, no usable prolog)."""
        if not self.names or not self.starts or not self._prefix_parses():
            return None
        first, first_line = self.starts[0]
        if line is not None and line < first_line and first > segment_start:
            # the damage lies before the next record start tag: a record whose own start tag is
            # damaged, or stray text between records; reading goes on at that start tag
            self.fed_end = first
            marker = MalformedRecord(
                f"malformed XML before the record at line {first_line}: {message}; reading went on at line {first_line}",
                line)
            return marker, first, first_line
        while len(self.starts) < 2 and self._read_live() is not None:
            pass
        if len(self.starts) < 2:
            return None
        bad, bad_line = self.starts.popleft()
        following, following_line = self.starts[0]
        self.fed_end = following
        head = self.retained.read(bad, min(following, bad + BAD_RECORD_HEAD))
        marker = MalformedRecord(
            f"malformed XML in the record starting at line {bad_line}: {message}; "
            f"reading went on at the next record (line {following_line})", bad_line, head)
        self._trim()
        return marker, following, following_line


_TAG_NAME_END = frozenset(b" \t\r\n/>")
_START_TAG = re.compile(rb"<([A-Za-z_][\w.\-:]*)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_LINE_NUMBER = re.compile(r"(\bline )(\d+)")


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = short_message(getattr(exc, "msg", None) or str(exc))
    line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else None)
    return f"{msg} (line {line})" if line and f"line {line}" not in msg else msg


def is_top_level(element: etree._Element) -> bool:
    """True for the root element and its direct children (record elements of a *Set file)."""
    parent = element.getparent()
    return parent is None or parent.getparent() is None


def guarded(articles: Iterable[Article], display_path: str, fmt: str, sha: str) -> Iterator[Article]:
    """Pass a reader's Articles through; never raises. A file that breaks part-way ends with
    one error Article after the records already read; a file with no records gets one too."""
    index = 0
    try:
        for article in articles:
            yield article
            index += 1
    except XMLFileError as exc:
        yield error_article(type_=exc.type, message=f"{exc.message}; {index} record(s) were read before the failure",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    except EOFError:
        yield error_article(type_="TruncatedGzip",
                            message="compressed stream ended before the end-of-stream marker (truncated .gz file); "
                                    f"{index} record(s) were read before the failure",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    except Exception as exc:  # noqa: BLE001 - the reader must never raise
        yield error_article(type_=type(exc).__name__, message=f"reading stopped: {type(exc).__name__}: {exc}",
                            path=display_path, index=index, fmt=fmt, sha256=sha)
    else:
        if index == 0:
            yield error_article(type_="EmptyInput", message="the file holds no records", path=display_path,
                                index=0, fmt=fmt, sha256=sha)


def read_xml_records(
    path: Path,
    display_path: str,
    fmt: str,
    is_record: Callable[[etree._Element], bool],
    record_articles: Callable[[etree._Element, str, int, str], list[Article]],
    tags: Any = None,
    record_starts: Callable[[str], Iterable[str]] | None = None,
    malformed_metadata: Callable[[bytes], dict[str, Any]] | None = None,
) -> Iterator[Article]:
    """The file loop every XML reader shares; never raises.

    Streams the records (`is_record` picks them, `tags` narrows iterparse, `record_starts`
    names the record elements to resynchronise on, see `stream_records`) and turns each into
    Articles with `record_articles(element, display_path, index, sha)`. A record the parser
    rejected becomes one `MalformedXML` error Article at its position, with the ids
    `malformed_metadata(first bytes of the record)` finds; `guarded` closes a broken or empty
    file with one error Article."""
    path = Path(path)
    try:
        sha = file_sha256(path)
    except OSError as exc:
        yield read_error(exc, display_path, fmt)
        return

    def articles() -> Iterator[Article]:
        index = 0
        for element in stream_records(path, is_record, tags, record_starts):
            if isinstance(element, MalformedRecord):
                metadata = malformed_metadata(element.head) if malformed_metadata and element.head else None
                yield error_article(type_="MalformedXML", message=element.message, path=display_path, index=index,
                                    fmt=fmt, sha256=sha, metadata=metadata)
                index += 1
                continue
            for article in record_articles(element, display_path, index, sha):
                yield article
                index += 1

    yield from guarded(articles(), display_path, fmt, sha)
