/**
 * The popup's data: signed-in tenants, the current one, and its summary, shown from the cache
 * at once and then refreshed; says when the figures are stale or the backend unreachable.
 */
import type { LicenseList } from "@appseats/shared";
import { useCallback, useEffect, useState } from "preact/hooks";
import browser from "webextension-polyfill";
import { Unreachable } from "../../api/client.js";
import { freshnessOf } from "../../core/cache.js";
import { send } from "../../core/messages.js";
import { liveSessions, withSession } from "../../core/session.js";
import { dropSnapshot, lastViewToShow, writeSnapshot } from "../../core/snapshot.js";
import { type Session, settings, summaries } from "../../core/storage.js";
import { currentTenant } from "../../core/tenant.js";
import type { Freshness } from "./status-text.js";

// Read once, synchronously, before the first render: the last view shows at once (only while
// someone is signed in: core/snapshot.ts).
const snapshot = lastViewToShow();

export function usePopupData() {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [tenantId, setTenantId] = useState<string | undefined>(snapshot?.me.tenant.id);
  const [summary, setSummary] = useState<LicenseList | undefined>(snapshot?.summary);
  const [fetchedAt, setFetchedAt] = useState<number | undefined>(snapshot?.fetchedAt);
  const [freshness, setFreshness] = useState<Freshness>(snapshot ? "stale" : "loading");

  const session = sessions?.find((s) => s.me.tenant.id === tenantId);
  /** Who is shown: the live session once read, the last view's admin until then. */
  const me = session?.me ?? (sessions === null ? snapshot?.me : undefined);

  /** Asks the backend for the tenant's summary; whether it answered. */
  const refresh = useCallback(async (target: Session): Promise<boolean> => {
    try {
      const fresh = await withSession(target, (client) => client.licenses());
      const now = Date.now();
      await summaries.put(target.me.tenant.id, { summary: fresh, fetchedAt: now });
      writeSnapshot({ me: target.me, summary: fresh, fetchedAt: now });
      setSummary(fresh);
      setFetchedAt(now);
      setFreshness("fresh");
      return true;
    } catch (error) {
      if (error instanceof Unreachable) setFreshness("unreachable");
      else {
        setSessions(await liveSessions());
        setFreshness("signedOut");
      }
      return false;
    }
  }, []);

  // Show the cached summary of a tenant at once, then ask the backend.
  const open = useCallback(
    async (target: Session) => {
      setTenantId(target.me.tenant.id);
      const cached = await summaries.get(target.me.tenant.id);
      setSummary(cached?.summary);
      setFetchedAt(cached?.fetchedAt);
      setFreshness(cached ? (freshnessOf(cached, Date.now()) === "fresh" ? "fresh" : "stale") : "loading");
      return refresh(target);
    },
    [refresh],
  );

  useEffect(() => {
    void (async () => {
      const [live, { lastTenantId }, [tab]] = await Promise.all([
        liveSessions(),
        settings.get(),
        browser.tabs.query({ active: true, currentWindow: true }).catch(() => [] as browser.Tabs.Tab[]),
      ]);
      setSessions(live);
      const chosen = currentTenant(
        live.map((s) => ({ tenantId: s.me.tenant.id, domains: s.me.tenant.domains })),
        tab?.url,
        lastTenantId,
      );
      const target = live.find((s) => s.me.tenant.id === chosen);
      if (!target) {
        dropSnapshot();
        return setFreshness("signedOut");
      }
      // The backend answered just now: changes waiting out a failed try may go at once.
      const answered = await open(target);
      void send("replayQueue", { early: answered }).catch(() => undefined);
    })();
  }, [open]);

  const switchTenant = useCallback(
    async (id: string) => {
      const target = sessions?.find((s) => s.me.tenant.id === id);
      if (!target) return;
      await settings.update({ lastTenantId: id });
      await open(target);
      void send("cacheChanged").catch(() => undefined);
    },
    [sessions, open],
  );

  const reload = useCallback(async () => {
    if (session) await refresh(session);
    void send("cacheChanged").catch(() => undefined);
  }, [session, refresh]);

  return { sessions, session, me, summary, fetchedAt, freshness, switchTenant, reload };
}
