"""The portal's public pages (no login, Korean): 통계, 회원사 찾기, 자료 내려받기 — read from the published snapshot
(`iupjong portal publish DIR` writes DIR/published), never from the ledger."""

PUBLIC_INDEX_ENV = "IUPJONG_PUBLIC_INDEX"  # "1": robots.txt lets search engines in (`iupjong portal serve --public-index`)
