from classifier.cli.main import main

main()
