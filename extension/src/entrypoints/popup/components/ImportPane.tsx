/**
 * Assigning a license from a CSV of user principal names or e-mail addresses (up to 5,000 rows, a
 * header row optional): choose or paste it, see first what each row would do and whether the
 * seats suffice (the worker's preview), then assign them, 500 a request, with progress and a
 * result for each row. Users are assigned directly, which needs a seat each (R3): when seats run
 * short, the first rows are assigned, as many as there are seats, and the others are told so.
 */
import type { ImportPreview } from "@appseats/shared";
import { maxImportRows } from "@appseats/shared/limits";
import { useState } from "preact/hooks";
import type { AppSeatsClient } from "../../../api/client.js";
import { describeError } from "../../../core/describe-error.js";
import { formatCount, t } from "../../../core/i18n.js";
import { chunksOf } from "../../../core/import-rows.js";
import { send } from "../../../core/messages.js";
import { Dialog, DialogActions } from "./Dialog.js";

type Row = ImportPreview["rows"][number] & { result?: "active" | "waiting" | "failed" | "noSeat" };

/** How many rows of the preview are listed; the counts cover them all. */
const rowsShown = 500;

export function ImportPane(props: { appName: string; client: AppSeatsClient; licenseId: string; onDone: () => void; onClose: () => void }) {
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<ImportPreview>();
  const [rows, setRows] = useState<Row[]>([]);
  const [notice, setNotice] = useState<{ kind: "error" | "info"; text: string }>();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ done: number; of: number }>();
  const [finished, setFinished] = useState(false);

  async function readFile(file: File | undefined) {
    if (file) setText(await file.text());
  }

  async function showPreview() {
    setBusy(true);
    try {
      // Parsed by the background, which ships the CSV parser (the popup stays small).
      const csv = await send("parseCsv", { text });
      if (csv.names.length === 0) return setNotice({ kind: "error", text: t("importEmpty") });
      const answer = await props.client.importPreview(props.licenseId, csv.names);
      setPreview(answer);
      setRows(answer.rows);
      setNotice(csv.tooMany ? { kind: "info", text: t("importTooMany", [formatCount(maxImportRows)]) } : undefined);
    } catch (error) {
      setNotice({ kind: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  async function assignAll() {
    const wanted = rows.filter((row) => row.outcome === "assign" && row.user);
    const toAssign = wanted.slice(0, preview!.seats.available);
    const chunks = chunksOf(toAssign);
    setBusy(true);
    setProgress({ done: 0, of: toAssign.length });
    const results = new Map<string, Row["result"]>(wanted.slice(toAssign.length).map((row) => [row.user!.id, "noSeat"]));
    let done = 0;
    for (const chunk of chunks) {
      try {
        await props.client.assign(
          props.licenseId,
          { principals: chunk.map((row) => ({ type: "user", id: row.user!.id })) },
          crypto.randomUUID(),
        );
      } catch (error) {
        for (const row of chunk) results.set(row.user!.id, "failed");
        setNotice({ kind: "error", text: describeError(error) });
      }
      done += chunk.length;
      setProgress({ done, of: toAssign.length });
    }
    // Who got a seat and who waits, as the worker has it now.
    try {
      const after = await props.client.importPreview(
        props.licenseId,
        rows.map((row) => row.name),
      );
      for (const row of after.rows) if (row.user && row.state && !results.has(row.user.id)) results.set(row.user.id, row.state);
    } catch (error) {
      setNotice({ kind: "error", text: describeError(error) });
    }
    setRows(rows.map((row) => (row.outcome === "assign" && row.user ? { ...row, result: results.get(row.user.id) } : row)));
    setBusy(false);
    setFinished(true);
    props.onDone();
  }

  const wanted = preview?.counts.assign ?? 0;
  const assignable = preview ? Math.min(wanted, preview.seats.available) : 0;
  const outcomeText = (row: Row) => (row.result ? t(`importResult_${row.result}`) : t(`importOutcome_${row.outcome}`));

  return (
    <Dialog title={t("importTitle", [props.appName])} onClose={props.onClose} describedBy="import-help">
      <p id="import-help">{t("importHelp", [formatCount(maxImportRows)])}</p>
      {!preview && (
        <>
          <label for="import-file">{t("importFile")}</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => void readFile((e.target as HTMLInputElement).files?.[0])}
          />
          <label for="import-text">{t("importPaste")}</label>
          <textarea id="import-text" rows={6} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </>
      )}
      {notice && (
        <p class={notice.kind} role={notice.kind === "error" ? "alert" : "status"}>
          {notice.text}
        </p>
      )}
      {preview && (
        <div aria-live="polite">
          <p class="import-counts">
            {t("importCounts", [
              formatCount(preview.counts.assign),
              formatCount(preview.counts.alreadyLicensed),
              formatCount(preview.counts.unknown),
              formatCount(preview.counts.duplicate + preview.counts.blank),
            ])}
          </p>
          {!finished && (
            <p class={preview.enough ? "info" : "reason"}>
              {preview.enough
                ? t("importSeatsEnough", [formatCount(preview.seats.available)])
                : t("importSeatsShort", [formatCount(preview.seats.available), formatCount(wanted)])}
            </p>
          )}
          {progress && (
            <p>
              <label for="import-progress">{t("importProgress", [formatCount(progress.done), formatCount(progress.of)])}</label>{" "}
              <progress id="import-progress" max={progress.of} value={progress.done} />
            </p>
          )}
          <table class="import-rows">
            <caption class="visually-hidden">{t("importRowsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t("importColumnName")}</th>
                <th scope="col">{t("importColumnOutcome")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, rowsShown).map((row) => (
                <tr key={row.row} class={`outcome-${row.result ?? row.outcome}`}>
                  <td>{row.row + 1}</td>
                  <td>{row.user?.displayName ?? row.name}</td>
                  <td>{outcomeText(row)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > rowsShown && <p class="detail">{t("importMoreRows", [formatCount(rows.length - rowsShown)])}</p>}
        </div>
      )}
      <DialogActions
        done={finished}
        onClose={props.onClose}
        action={
          preview
            ? {
                label: busy
                  ? t("working")
                  : assignable < wanted
                    ? t("importAssignSome", [formatCount(assignable)])
                    : t("importAssign", [formatCount(wanted)]),
                kind: "primary",
                disabled: busy || assignable === 0,
                autofocus: true,
                onClick: () => void assignAll(),
              }
            : {
                label: busy ? t("working") : t("importPreview"),
                kind: "primary",
                disabled: busy || !text.trim(),
                onClick: () => void showPreview(),
              }
        }
      />
    </Dialog>
  );
}
