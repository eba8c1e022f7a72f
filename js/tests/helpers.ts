// Helpers shared by the unit tests.
import assert from "node:assert/strict";

/** The item at ``index``, failing the test when there is none (what noUncheckedIndexedAccess asks for). */
export function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index];
  assert.ok(index < items.length && item !== undefined, `no item at ${index} of ${items.length}`);
  return item;
}
