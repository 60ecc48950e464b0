"""`outreach meta`: the Meta connection from a terminal, as on the Paramètres page.

    outreach meta token            read a token from standard input (never from an argument: it would stay in
                                   the shell's history and in the process list) and store it privately
    outreach meta status           is the token valid, when does it expire, which permissions are missing
    outreach meta accounts         the ad accounts, Pages and Instagram accounts the token reaches
    outreach meta use --account act_… --page ID [--instagram ID]   record the choice in the network settings

`status` exits 1 when the token is not ready (invalid, expired or missing a permission), so that a script
can stop before a push.
"""

from __future__ import annotations

import getpass
import sys

from outreach.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("meta", help="connexion à Meta : jeton, état, comptes accessibles",
                       description="Le jeton d'accès Meta et les comptes qu'il atteint.")
    msub = p.add_subparsers(dest="meta_command", metavar="ACTION", required=True)
    tok = msub.add_parser("token", help="enregistrer le jeton (lu sur l'entrée standard, jamais affiché)")
    tok.set_defaults(func=run_token)
    st = msub.add_parser("status", help="validité, expiration et autorisations du jeton")
    st.set_defaults(func=run_status)
    acc = msub.add_parser("accounts", help="comptes publicitaires, Pages et comptes Instagram accessibles")
    acc.set_defaults(func=run_accounts)
    use = msub.add_parser("use", help="retenir le compte publicitaire, la Page et le compte Instagram")
    use.add_argument("--account", required=True, metavar="act_…")
    use.add_argument("--page", required=True, metavar="ID")
    use.add_argument("--instagram", metavar="ID", help="compte Instagram (facultatif)")
    use.set_defaults(func=run_use)


def run_token(args) -> int:
    from outreach.meta import token_store

    token = getpass.getpass("Jeton d'accès Meta (non affiché) : ") if sys.stdin.isatty() else sys.stdin.readline()
    path = token_store.save_token(token)
    print(f"Jeton enregistré dans {path} (lisible par vous seul).", file=sys.stderr)
    return 0


def run_status(args) -> int:
    from outreach.meta import connection

    status = connection.check()
    for line in status.lines():
        print(line)
    return 0 if status.ready else 1


def run_accounts(args) -> int:
    from outreach.meta import connection

    accounts = connection.ad_accounts()
    print("Comptes publicitaires :")
    for account in accounts:
        print(f"  {account.label}")
        for ig in connection.instagram_accounts(account.id) if account.usable else []:
            print(f"    Instagram {ig.label} ({ig.id})")
    print("Pages Facebook :")
    for page in connection.pages():
        print(f"  {page.label} ({page.id})")
    return 0


def run_use(args) -> int:
    from outreach.meta import connection
    from outreach.settings import load_settings, save_settings

    def find(choices, wanted, what):
        hit = next((c for c in choices if c.id == wanted.strip()), None)
        if hit is None:
            raise InputError(f"{what} « {wanted} » : Meta ne le donne pas à ce jeton.", field=what,
                             fix="Choisissez dans la liste de « outreach meta accounts ».")
        return hit

    account = find(connection.ad_accounts(), args.account, "compte publicitaire")
    page = find(connection.pages(), args.page, "Page")
    ig = find(connection.instagram_accounts(account.id), args.instagram, "compte Instagram") if args.instagram else None
    settings = load_settings().model_copy(update={
        "ad_account_id": account.id, "ad_account_name": account.label, "facebook_page_id": page.id,
        "facebook_page_name": page.label, "instagram_user_id": ig.id if ig else "",
        "instagram_username": ig.label if ig else ""})
    path = save_settings(settings)
    print(f"Paramètres enregistrés dans {path}.", file=sys.stderr)
    return 0
