/** New ids: random UUIDs, prefixed by what they name where the API shows them (usr_, grp_, sub_, …). */
export const newId = () => crypto.randomUUID();
