// The maps' shared WebGL renderer, without WebGL: made for the first map, released by the last, replaced once lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedResource } from "../src/cluster/shared.ts";

function pool() {
  const made: { id: number; lose: () => void }[] = [];
  const released: number[] = [];
  const shared = new SharedResource(
    (lose) => {
      const resource = { id: made.length + 1, lose };
      made.push(resource);
      return resource;
    },
    (resource) => released.push(resource.id),
  );
  return { shared, made, released };
}

test("maps share one resource, and the last to leave releases it at once", () => {
  const { shared, made, released } = pool();
  const first = shared.join(() => {});
  const second = shared.join(() => {});
  assert.equal(first.resource, second.resource);
  assert.equal(made.length, 1);
  shared.leave(first);
  assert.deepEqual(released, []);
  shared.leave(second);
  shared.leave(second); // a second destroy of the same map changes nothing
  assert.deepEqual(released, [1]);
  assert.equal(shared.join(() => {}).resource.id, 2); // a later map gets a new one
});

test("a lost resource tells every map once, and later maps get a new one", () => {
  const { shared, made, released } = pool();
  const told: string[] = [];
  const first = shared.join(() => told.push("first"));
  const second = shared.join(() => told.push("second"));
  made[0]?.lose();
  made[0]?.lose();
  assert.deepEqual(told, ["first", "second"]);
  assert.ok(first.lost && second.lost);
  const third = shared.join(() => told.push("third"));
  assert.equal(third.resource.id, 2);
  assert.equal(third.lost, false);
  shared.leave(first);
  shared.leave(second);
  assert.deepEqual(released, [1]); // the lost one is still released when its maps go
  shared.leave(third);
  assert.deepEqual(released, [1, 2]);
});
