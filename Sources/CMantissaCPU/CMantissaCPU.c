// Only the header matters; this file gives the target a translation unit.
