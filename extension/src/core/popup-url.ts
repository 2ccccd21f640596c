/**
 * The popup the toolbar button opens while someone is signed in; the background sets it (and
 * the plain popup.html when nobody is). The first view and the last view are drawn only there
 * (core/snapshot.ts): the browser forgets sessions when it restarts, and the cached figures must
 * not outlive them.
 */
export const signedInPopup = "popup.html?signed-in";
