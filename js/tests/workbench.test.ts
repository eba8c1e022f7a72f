// The workbench's pure parts: which bins a range filter lights, edge labels, and the greying of filtered-out points.
import { test } from "node:test";
import assert from "node:assert/strict";
import { binsOf, formatEdge, greyed, GREY } from "../src/cluster/workbench.ts";

const EDGES = [0, 10, 20, 30, 40];

test("a range lights the bins it touches, and nothing else", () => {
  assert.deepEqual(binsOf(EDGES, [0, 20]), [0, 1]);
  assert.deepEqual(binsOf(EDGES, [12, 18]), [1, 1]);
  assert.deepEqual(binsOf(EDGES, [35, 100]), [3, 3]);
  assert.equal(binsOf(EDGES, [50, 60]), null);
  assert.equal(binsOf(EDGES, undefined), null);
  assert.equal(binsOf(EDGES, [1]), null);
});

test("edges read as numbers or dates", () => {
  assert.equal(formatEdge("number", 500.00000000000006), "500");
  assert.equal(formatEdge("number", 1234567), "1.23e+6");
  assert.equal(formatEdge("date", Date.UTC(2021, 0, 3)), "2021-01-03");
});

test("filtered-out points take one extra grey colour; a ramp becomes its colours' indices", () => {
  const mask = Uint8Array.of(1, 0, 1, 1);
  const [categories, colours] = greyed(Uint8Array.of(2, 1, 0, 1), false, ["#a", "#b", "#c"], mask);
  assert.deepEqual(Array.from(categories), [2, 3, 0, 1]);
  assert.deepEqual(colours, ["#a", "#b", "#c", GREY]);
  const [ramp, rampColours] = greyed(Float32Array.of(0, 0.5, 1, 0.5), true, ["#0", "#1", "#2"], mask);
  assert.deepEqual(Array.from(ramp), [0, 3, 2, 1]);
  assert.equal(rampColours.at(-1), GREY);
  const [plain] = greyed(null, false, ["#p"], mask);
  assert.deepEqual(Array.from(plain), [0, 1, 0, 0]);
});
