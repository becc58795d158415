"""The add-in sources and the built iupjong.xlam. Shipped inside the package as `iupjong_xl.excel.addin` (package
data, see pyproject.toml); nothing here is imported."""
