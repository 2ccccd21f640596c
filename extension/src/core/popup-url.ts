/**
 * The popup the toolbar button opens while someone is signed in; the background sets it (and
 * the plain popup.html when nobody is). It names who is signed in, each as tenant and admin:
 * the first view and the last view (core/snapshot.ts) are drawn only for the admin and tenant
 * that drew them, so one admin's figures never show for another who signs in next, and they do
 * not outlive the sessions the browser forgets when it restarts.
 */

interface SignedIn {
  me: { tenant: { id: string }; user: { id: string } };
}

/** Who a view is for: a tenant and an admin in it. */
export const viewOwner = ({ me }: SignedIn) => `${me.tenant.id}/${me.user.id}`;

/** The popup page while `live` are signed in. */
export const signedInPopup = (live: SignedIn[]) => `popup.html?${new URLSearchParams({ "signed-in": live.map(viewOwner).join(" ") })}`;

/** The admins and tenants the popup was opened for, as signedInPopup named them (none: nobody is signed in). */
export const signedInFor = (search: string): string[] => new URLSearchParams(search).get("signed-in")?.split(" ").filter(Boolean) ?? [];
