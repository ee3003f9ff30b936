// Which address a sign-in budget is charged to: X-Forwarded-For entries count only as far as trusted proxies wrote them.
import { describe, expect, it } from "vitest";
import { clientAddress } from "@/server/client-address";

describe("clientAddress", () => {
  it("with no trusted proxy is the socket's peer, whatever X-Forwarded-For claims", () => {
    expect(clientAddress("203.0.113.7", "1.1.1.1, 2.2.2.2", 0)).toBe("203.0.113.7");
    expect(clientAddress("::ffff:203.0.113.7", undefined, 0)).toBe("203.0.113.7");
  });

  it("with n trusted proxies is the address the outermost one saw, not what the client wrote before it", () => {
    // the client sent "X-Forwarded-For: 6.6.6.6"; proxy 1 (outermost) appended the real client, proxy 2 appended proxy 1
    const xff = "6.6.6.6, 198.51.100.9, 10.0.0.2";
    expect(clientAddress("10.0.0.3", xff, 1)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.3", xff, 2)).toBe("198.51.100.9");
    expect(clientAddress("10.0.0.3", ["6.6.6.6, 198.51.100.9", "10.0.0.2"], 2)).toBe("198.51.100.9");
  });

  it("with more hops configured than the request passed, is the furthest address there is", () => {
    expect(clientAddress("10.0.0.3", "198.51.100.9", 3)).toBe("198.51.100.9");
    expect(clientAddress("10.0.0.3", undefined, 2)).toBe("10.0.0.3");
  });

  it("is unknown (null) rather than a shared placeholder when there is no address", () => {
    expect(clientAddress(undefined, undefined, 0)).toBeNull();
  });
});
