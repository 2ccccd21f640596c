/**
 * A person's licenses: every license they hold or wait for in the tenant, and through what
 * (directly, or which groups). A direct assignment can be unassigned here; one held only through
 * groups cannot (R6), and says which groups to change. Opened by clicking a person in a
 * license's details, or from "Licenses of …" on a selected name.
 */
import type { LicenseSummary, PrincipalView, UserLicenses } from "@appseats/shared";
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../../../core/describe-error.js";
import { t } from "../../../core/i18n.js";
import { clientFor } from "../../../core/session.js";
import type { Session } from "../../../core/storage.js";

export function Person(props: {
  session: Session;
  userId: string;
  version: number;
  licenses: LicenseSummary[];
  onBack: () => void;
  onUnassign: (license: LicenseSummary, principals: PrincipalView[]) => void;
  onAssign: (license: LicenseSummary, principals: PrincipalView[]) => void;
}) {
  const [person, setPerson] = useState<UserLicenses>();
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState("");

  // biome-ignore lint/correctness/useExhaustiveDependencies: props.version counts the changes made: each one reads the person again.
  useEffect(() => {
    clientFor(props.session)
      .userLicenses(props.userId)
      .then((found) => {
        setPerson(found);
        setError(undefined);
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, [props.session, props.userId, props.version]);

  const { can } = props.session.me;
  const held = new Set(person?.items.map((item) => item.license.id));
  const others = props.licenses.filter((license) => !held.has(license.id));
  const asPrincipal = (user: UserLicenses["user"]): PrincipalView => ({
    type: "user",
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
  });

  return (
    <section class="details person" aria-labelledby="person-title">
      <button type="button" class="link back" onClick={props.onBack}>
        ← {t("back")}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {person && (
        <>
          <h2 id="person-title">
            {person.user.displayName} <span class="detail">{person.user.userPrincipalName}</span>
          </h2>
          {!person.user.accountEnabled && <p class="mark mark-warning">{t("accountDisabled")}</p>}
          <h3>{t("personLicensesHeading")}</h3>
          {person.items.length === 0 && <p class="empty">{t("personNoLicenses")}</p>}
          <ul class="holders">
            {person.items.map((item) => {
              const license = props.licenses.find((l) => l.id === item.license.id);
              const groups = item.viaGroups.map((g) => g.displayName).join(", ");
              return (
                <li key={item.license.id} class={item.state}>
                  <span class="name">{item.license.app.name}</span> <span class="plan">{item.license.plan}</span>{" "}
                  <span class="detail">
                    {[item.direct ? t("holdsDirect") : null, groups ? t("holdsVia", [groups]) : null].filter(Boolean).join(" · ")}
                  </span>
                  {item.state === "waiting" && <span class="mark mark-low">{t("stateWaiting")}</span>}
                  {item.direct && license && can.assign && (
                    <button type="button" class="link" onClick={() => props.onUnassign(license, [asPrincipal(person.user)])}>
                      {t("personUnassign", [item.license.app.name])}
                    </button>
                  )}
                  {!item.direct && groups && <p class="reason">{t("personHeldThrough", [groups])}</p>}
                </li>
              );
            })}
          </ul>
          {can.assign && others.length > 0 && (
            <form
              class="toolbar"
              onSubmit={(e) => {
                e.preventDefault();
                const license = others.find((l) => l.id === adding);
                if (license) props.onAssign(license, [asPrincipal(person.user)]);
              }}
            >
              <label for="person-add">{t("personAssignLabel")}</label>
              <select id="person-add" value={adding} onChange={(e) => setAdding((e.target as HTMLSelectElement).value)}>
                <option value="">{t("personChooseApp")}</option>
                {others.map((license) => (
                  <option key={license.id} value={license.id}>
                    {license.app.name} ({license.plan})
                  </option>
                ))}
              </select>
              <button type="submit" class="primary" disabled={!adding}>
                {t("assignAction")}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
