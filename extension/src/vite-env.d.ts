declare module "*.css";

/** The backend this build is for and its Entra ID registration (built-in.ts), defined by wxt.config.ts. */
declare const __APPSEATS_BUILT_IN__: import("../built-in.ts").BuiltInBackend;
