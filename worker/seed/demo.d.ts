/**
 * The demo data of shared/DEMO.md as SQL statements. `npm start` applies them to the local
 * D1 and the tests apply them inside workerd, so both see the same tenant. Running them
 * twice changes nothing: rows have fixed ids and are inserted only if missing, and a demo
 * subscription's assignments are seeded only while nobody has changed it (no audit event).
 * This file imports nothing so that Node can run it directly.
 */
export declare const demoTenantIds: {
    readonly contoso: "contoso";
    readonly fabrikam: "fabrikam";
};
interface DemoSubscription {
    id: string;
    tenant: string;
    vendor: string;
    plan: string;
    purchased: number;
    status: string;
    users: string[];
    groups: string[];
}
export declare const demoSubscriptions: DemoSubscription[];
export declare const demoUserId: (tenant: string, upn: string) => string;
export declare const demoGroupId: (tenant: string, name: string) => string;
export declare const demoVendorKey: (vendor: string) => string;
export declare function demoSeedStatements(): Promise<string[]>;
export {};
