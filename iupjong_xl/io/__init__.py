"""Opening workbooks of any format (under limits), grids that remember each cell, the xlsx writer kit, atomic saves."""
