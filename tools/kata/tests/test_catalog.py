"""The catalog is read from katas.bzl and the pages; names resolve with helpful errors."""

import unittest

import catalog


class CatalogTest(unittest.TestCase):
    def test_every_track_of_the_path_has_katas_in_order(self):
        tracks = catalog.load()
        self.assertEqual(tracks[0].name, "threads")
        positions = [k.position for k in catalog.all_katas(tracks)]
        self.assertEqual(positions, sorted(positions))
        self.assertTrue(all(t.katas for t in tracks))

    def test_names_resolve_by_track_id_or_bare_name(self):
        self.assertEqual([k.id for k in catalog.select(["sync/counter"])], ["sync/counter"])
        self.assertEqual([k.id for k in catalog.select(["counter"])], ["sync/counter"])
        self.assertIn("sync/counter", [k.id for k in catalog.select(["sync"])])
        self.assertEqual([k.id for k in catalog.select(["exercises/sync/counter/"])],
                         ["sync/counter"])

    def test_an_unknown_name_suggests_the_closest(self):
        with self.assertRaises(catalog.UnknownName) as raised:
            catalog.select(["sync/countr"])
        self.assertIn("did you mean sync/counter?", str(raised.exception))

    def test_hints_come_from_the_page(self):
        kata = catalog.select(["sync/counter"])[0]
        hints = kata.hints()
        self.assertEqual(len(hints), 3)
        self.assertIn("mutable std::mutex", hints[1])


if __name__ == "__main__":
    unittest.main()
