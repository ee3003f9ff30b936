import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type Line, readLines } from "@/server/services/import/lines";

const limits = { maxBytes: 1 << 20, maxLineBytes: 64 };

async function lines(chunks: (string | Buffer)[], l = limits): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))), l)) out.push(line);
  return out;
}

describe("readLines", () => {
  it("splits lines across chunk boundaries, strips CR and a BOM split over chunks", async () => {
    const got = await lines([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf]), "ab", "c\r", "\nde", "f\n\ng"]);
    expect(got.map((l) => [l.line, l.text, l.noNewline])).toEqual([
      [1, "abc", false],
      [2, "def", false],
      [3, "", false],
      [4, "g", true],
    ]);
  });

  it("keeps a multi-byte character split between chunks intact", async () => {
    const euro = Buffer.from("€");
    const got = await lines([Buffer.concat([Buffer.from("a"), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from("b\n")])]);
    expect(got[0].text).toBe("a€b");
    expect(got[0].problem).toBeUndefined();
  });

  it("marks invalid UTF-8 with its line and column and keeps the raw bytes", async () => {
    const got = await lines(["ok\n", Buffer.from([0x61, 0x62, 0xc3, 0x28, 0x0a]), "next\n"]);
    expect(got[1].problem).toBe("line 2 is not valid UTF-8 (first bad byte at column 3); save the file as UTF-8");
    expect(got[1].raw).toEqual(Buffer.from([0x61, 0x62, 0xc3, 0x28]));
    expect(got[2]).toMatchObject({ line: 3, text: "next" });
  });

  it("marks an overlong line without buffering it, and goes on with the next", async () => {
    const got = await lines(["short\n", "x".repeat(50), "y".repeat(50), "\nafter\n"]);
    expect(got.map((l) => l.line)).toEqual([1, 2, 3]);
    expect(got[1].problem).toMatch(/^line 2 is longer than the maximum line length of 64 bytes/);
    expect(got[2].text).toBe("after");
  });

  it("allows a line of exactly the maximum length with a CRLF end", async () => {
    const got = await lines(["z".repeat(64) + "\r\n"]);
    expect(got[0].text).toBe("z".repeat(64));
    expect(got[0].problem).toBeUndefined();
  });

  it("throws PAYLOAD_TOO_LARGE past the maximum size", async () => {
    await expect(lines(["a\n".repeat(10)], { maxBytes: 15, maxLineBytes: 10 })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringMatching(/maximum import size of 15 bytes/),
    });
  });

  it("refuses UTF-16 with a message saying so", async () => {
    await expect(lines([Buffer.from([0xfe, 0xff, 0x00, 0x61])])).rejects.toThrow(/UTF-16/);
  });
});
