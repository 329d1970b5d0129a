from classifier.cli.app import main

main()
