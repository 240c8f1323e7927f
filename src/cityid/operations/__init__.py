"""Operations above the domains: staff accounts (`accounts`), key administration
(`keys`), backups (`backup`) and the table registry (`tables`). They may use every
domain; no domain imports them."""
