from bulletin_print.cli import main

main()
