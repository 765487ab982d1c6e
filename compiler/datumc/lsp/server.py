"""The language server: pygls over stdio, wiring the protocol to the plain modules
beside this one. pygls is imported only when `main()` runs."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datumc.lsp.completion import complete
from datumc.lsp.definition import definition
from datumc.lsp.diagnostics import LspDiagnostic, convert, fixes_in
from datumc.lsp.hover import hover
from datumc.lsp.text import Span, from_utf16, line_at
from datumc.lsp.workspace import Workspace, file_kind

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

NAME = "datumc"


def _path(uri: str) -> Path:
    from pygls.uris import to_fs_path

    found = to_fs_path(uri)
    return Path(found if found is not None else uri).absolute()


class _State:
    """The workspace and the diagnostics last published per document."""

    def __init__(self) -> None:
        self.workspace: Workspace | None = None
        self.published: dict[str, list[LspDiagnostic]] = {}
        self.uris: dict[Path, str] = {}

    def ws(self, ls: LanguageServer) -> Workspace:
        if self.workspace is None:
            root = ls.workspace.root_path
            self.workspace = Workspace(Path(root).absolute() if root else Path.cwd())
        return self.workspace


def build() -> LanguageServer:
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer

    from datumc import __version__

    server = LanguageServer(NAME, __version__, text_document_sync_kind=t.TextDocumentSyncKind.Full)
    state = _State()

    def publish(ls: LanguageServer, changed: str | None = None) -> None:
        ws = state.ws(ls)
        for path, uri in list(state.uris.items()):
            text = ws.buffers.get(path, "")
            diags = _checked(ws, path, text)
            if uri != changed and state.published.get(uri) == diags:
                continue
            state.published[uri] = diags
            ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
                uri=uri, diagnostics=[_lsp_diag(t, d) for d in diags]))

    def position(ls: LanguageServer, uri: str, pos: Any) -> tuple[Path, str, int, int]:
        path = _path(uri)
        text = state.ws(ls).text(path) or ""
        row = line_at(text, pos.line)
        return path, text, pos.line, from_utf16(row, pos.character)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: t.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        path = _path(doc.uri)
        if file_kind(path) is None:
            return
        state.uris[path] = doc.uri
        state.ws(ls).open(path, doc.text)
        publish(ls, doc.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: t.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _path(uri)
        if path not in state.uris:
            return
        text = ls.workspace.get_text_document(uri).source
        state.ws(ls).change(path, text)
        publish(ls, uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: t.DidSaveTextDocumentParams) -> None:
        state.ws(ls).refresh()
        publish(ls)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: t.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _path(uri)
        state.uris.pop(path, None)
        state.published.pop(uri, None)
        state.ws(ls).close(path)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        publish(ls)

    @server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: LanguageServer, params: t.DidChangeWatchedFilesParams) -> None:
        state.ws(ls).refresh()
        publish(ls)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: LanguageServer, params: t.HoverParams) -> t.Hover | None:
        path, text, line, column = position(ls, params.text_document.uri, params.position)
        found = hover(path, text, line, column)
        if found is None:
            return None
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=found))

    @server.feature(t.TEXT_DOCUMENT_COMPLETION,
                    t.CompletionOptions(trigger_characters=['"', "'", "[", ",", " "]))
    def on_completion(ls: LanguageServer, params: t.CompletionParams) -> t.CompletionList:
        path, text, line, column = position(ls, params.text_document.uri, params.position)
        items = complete(path, text, line, column, state.ws(ls).stack())
        return t.CompletionList(is_incomplete=False, items=[
            t.CompletionItem(
                label=i.label, kind=t.CompletionItemKind(i.kind), detail=i.detail or None,
                documentation=(t.MarkupContent(kind=t.MarkupKind.Markdown,
                                               value=i.documentation)
                               if i.documentation else None))
            for i in items])

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: LanguageServer, params: t.DefinitionParams) -> t.Location | None:
        path, text, line, column = position(ls, params.text_document.uri, params.position)
        ws = state.ws(ls)
        found = definition(text, line, column, ws.stack(), {},
                           path if file_kind(path) == "yaml" else None)
        if found is None:
            return None
        return t.Location(uri=found.path.as_uri(), range=t.Range(
            start=t.Position(line=found.line, character=found.start),
            end=t.Position(line=found.line, character=found.end)))

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
    def on_code_action(ls: LanguageServer,
                       params: t.CodeActionParams) -> list[t.CodeAction] | None:
        uri = params.text_document.uri
        r = params.range
        found = fixes_in(state.published.get(uri, []), r.start.line, r.start.character,
                         r.end.line, r.end.character)
        actions = []
        for diag, fix in found:
            edit = t.TextEdit(range=_range(t, fix.span), new_text=fix.new_text)
            actions.append(t.CodeAction(
                title=fix.title, kind=t.CodeActionKind.QuickFix, is_preferred=True,
                diagnostics=[_lsp_diag(t, diag)],
                edit=t.WorkspaceEdit(changes={uri: [edit]})))
        return actions

    return server


def _range(t: Any, span: Any) -> Any:
    return t.Range(start=t.Position(line=span.line, character=span.start),
                   end=t.Position(line=span.line, character=span.end))


def _checked(ws: Workspace, path: Path, text: str) -> list[LspDiagnostic]:
    """The file's diagnostics; should checking it fail inside datumc, one diagnostic that
    says so (the editor shows it, instead of stale or no findings), and the traceback on
    the server's stderr, which editors keep as the server's log."""
    try:
        return [convert(d, text) for d in ws.diagnostics(path)]
    except Exception as exc:  # a bug in datumc must not silence the whole server
        import sys
        import traceback

        traceback.print_exc(file=sys.stderr)
        message = (f"datumc could not check this file: internal error {type(exc).__name__} "
                   f"(the traceback is in the datumc lsp log); `datumc lint {path.name}` "
                   "shows what the command line finds")
        return [LspDiagnostic(Span(0, 0, 0), 1, "", message)]


def _lsp_diag(t: Any, diag: LspDiagnostic) -> Any:
    return t.Diagnostic(range=_range(t, diag.span), message=diag.message,
                        severity=t.DiagnosticSeverity(diag.severity), code=diag.code or None,
                        source="datumc")


def main() -> int:
    """Run the language server on stdin/stdout until the client says exit."""
    try:
        server = build()
    except ImportError as exc:
        import sys

        print(f"datumc lsp: {exc.name or 'pygls'} is not installed; "
              "pip install 'datumc[lsp]'", file=sys.stderr)
        return 2
    # What is loaded by now (Python, pydantic, the models, the rules) lives as long as
    # the server: out of the collector's sight, so that no collection during a re-check
    # scans it again.
    gc.freeze()
    server.start_io()
    return 0
