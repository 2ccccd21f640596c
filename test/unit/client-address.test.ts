/** The key of a client address's budget of failed credentials: IPv4 as it is, IPv6 by its /64. */
import { describe, expect, it } from "vitest";
import { addressBudgetKey } from "../../worker/src/http/client-address.js";

describe("addressBudgetKey", () => {
  it("keeps an IPv4 address, and reads an IPv4 address written as IPv6 as that address", () => {
    expect(addressBudgetKey("198.51.100.7")).toBe("198.51.100.7");
    expect(addressBudgetKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressBudgetKey("::ffff:c633:6407")).toBe("198.51.100.7");
  });

  it("gives every address of one /64 the same key, however it is written", () => {
    const key = addressBudgetKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    for (const address of [
      "2001:0db8:0001:0002:ffff:ffff:ffff:ffff",
      "2001:DB8:1:2:3:4:5:6",
      "[2001:db8:1:2::9]",
      "2001:db8:1:2::1%eth0",
    ]) {
      expect(addressBudgetKey(address), address).toBe(key);
    }
    expect(addressBudgetKey("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(addressBudgetKey("::1")).toBe("0:0:0:0::/64");
  });

  it("gives another /64 another key", () => {
    expect(addressBudgetKey("2001:db8:1:3::1")).not.toBe(addressBudgetKey("2001:db8:1:2::1"));
  });

  it("keeps what is not an address as it is", () => {
    for (const text of ["local", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "fe80::zz"]) expect(addressBudgetKey(text)).toBe(text);
  });
});
