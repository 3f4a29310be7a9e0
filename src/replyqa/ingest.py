"""The ingest pipeline: read files → parse → chunk → embed → store, with progress.

A file whose (size, mtime_ns) matches what the catalog recorded when its reply was
stored is skipped before it is read: a no-op re-ingest only stats the files.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .catalog import Catalog
from .errors import ReadError, ReplyQAError
from .ocr import LOW_OCR_CONFIDENCE
from .parse import parse_reply
from .read import iter_files, read_document
from .records import Reply
from .store import Index, IngestReport

log = logging.getLogger(__name__)

Signature = tuple[int, int]  # (size, mtime_ns)


def file_signature(path: str | Path) -> Signature | None:
    """What tells a file changed without reading it; None if it cannot be stat'ed (the read will say why)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def read_replies(paths: Iterable[str | Path], report: IngestReport, catalog: Catalog | None = None,
                 read: dict[str, tuple[str, Signature]] | None = None,
                 on_skip: Callable[[], None] | None = None, progress: bool = False) -> Iterator[Reply]:
    """Parsed replies from files and folders; a bad file is logged and recorded, never fatal.

    With a ``catalog``, a file whose recorded signature still matches (and whose reply is
    still stored) is reported unchanged without being read, and ``on_skip`` is called.
    A scan read by OCR keeps its :class:`~replyqa.records.Scan` on the reply and is listed in
    ``report.scanned`` (``progress`` shows a bar per page it reads).
    Every file that is read and parsed lands in ``read`` as source → (reply_id, signature),
    the signature taken before the read, so a file changed during the ingest is read again
    next time.
    """
    for path in iter_files(paths):
        started = time.perf_counter()
        try:
            source = str(Path(path))  # exactly the source read_document gives the reply
            signature = file_signature(path)
            if catalog is not None and signature is not None and catalog.file_signature(source) == signature:
                report.unchanged.append(source)
                if on_skip:
                    on_skip()
                continue
            doc = read_document(path, progress=progress)
            reply = parse_reply(doc.text, doc.source)
            if doc.scan is not None:
                reply = replace(reply, scan=doc.scan)
                report.scanned.append((reply.source, doc.scan.confidence))
                if doc.scan.confidence < LOW_OCR_CONFIDENCE:
                    log.warning("%s: read by OCR at a low mean confidence (%.2f); check it", path, doc.scan.confidence)
            report.parse_seconds += time.perf_counter() - started
            if read is not None and signature is not None:
                read[reply.source] = (reply.reply_id, signature)
            yield reply
        except ReadError as exc:
            log.warning("skipped %s", exc)
            report.failed.append((str(path), str(exc)))
        except (ReplyQAError, ValueError) as exc:
            log.warning("skipped %s: %s", path, exc)
            report.failed.append((str(path), f"{path}: {exc}"))
        except Exception as exc:  # a reader bug must cost one file, never the whole ingest
            log.exception("skipped %s: unexpected %s", path, type(exc).__name__)
            report.failed.append((str(path), f"{path}: unexpected error ({type(exc).__name__}: {exc})"))


def ingest(index: Index, paths: Iterable[str | Path], progress: bool = True) -> IngestReport:
    """Ingest every reply file under ``paths`` into ``index``; returns what happened."""
    from tqdm.auto import tqdm

    report = IngestReport()
    files = list(iter_files(paths))
    read: dict[str, tuple[str, Signature]] = {}
    with tqdm(total=len(files), unit="file", desc="ingest", disable=not progress) as bar:
        chunks_done = 0

        def counted() -> Iterator[Reply]:
            # consumed inside index.add, under its write lock: the signature checks see a settled catalog
            for reply in read_replies(files, report, index.catalog, read, on_skip=lambda: bar.update(1),
                                      progress=progress):
                yield reply
                bar.update(1)
            bar.update(len(report.failed))

        def on_chunks(n: int) -> None:
            nonlocal chunks_done
            chunks_done += n
            bar.set_postfix(chunks=chunks_done, rate=f"{chunks_done / max(bar.format_dict['elapsed'], 1e-9):.1f}/s")

        index.add(counted(), report, on_chunks)
    # only files whose reply the catalog now holds under their own source get a signature
    index.catalog.record_files((source, rid, size, mtime) for source, (rid, (size, mtime)) in read.items())
    return report
